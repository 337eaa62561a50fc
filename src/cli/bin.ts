#!/usr/bin/env node
import { runMain } from './main.js';
import { enableRelaxedSimd } from './v8-flags.js';

// Before anything compiles WebAssembly: see src/cli/v8-flags.ts.
runMain(enableRelaxedSimd());
