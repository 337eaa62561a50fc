"""ONNX's own checker on every .onnx file in a folder; prints one JSON document
{"onnx": version, "models": {name: {"ok": bool, "error": str | null}}}.
Run by scripts/make_onnx_checker_fixture.mjs: python scripts/check_onnx.py DIR"""
import json
import os
import sys

import onnx


def main() -> None:
    folder = sys.argv[1]
    models = {}
    for file in sorted(os.listdir(folder)):
        if not file.endswith(".onnx"):
            continue
        try:
            onnx.checker.check_model(onnx.load(os.path.join(folder, file)), full_check=True)
            models[file[:-5]] = {"ok": True, "error": None}
        except Exception as e:  # the checker's verdict, recorded as data
            models[file[:-5]] = {"ok": False, "error": f"{type(e).__name__}: {e}".splitlines()[0]}
    print(json.dumps({"onnx": onnx.__version__, "models": models}))


if __name__ == "__main__":
    main()
