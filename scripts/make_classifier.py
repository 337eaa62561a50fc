"""The fixture of examples/node/classifier.mjs: a small text classifier as users write it in
PyTorch 2.13 (Embedding -> packed 2-layer bidirectional LSTM -> LayerNorm -> Dropout -> Linear),
its state_dict in ONE safetensors file, a padded batch of token ids with their lengths, and the
logits PyTorch computes for them.

    .venv-torch/bin/python scripts/make_classifier.py

Writes examples/node/classifier.safetensors, classifier_tokens.npy (int64, (B, T), 0 = padding),
classifier_lengths.npy (int64, (B,)) and classifier_logits.npy (float32, (B, classes)).
Byte-reproducible: fixed seed, one thread; safetensors and np.save write no timestamps.
"""
import os

import numpy as np
import torch
from safetensors.torch import save_file
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'examples', 'node')


class Classifier(nn.Module):
    def __init__(self, vocab=40, dim=8, hidden=12, classes=5):
        super().__init__()
        self.embedding = nn.Embedding(vocab, dim, padding_idx=0)
        self.rnn = nn.LSTM(dim, hidden, num_layers=2, bidirectional=True, batch_first=True)
        self.norm = nn.LayerNorm(2 * hidden)
        self.dropout = nn.Dropout(0.2)
        self.head = nn.Linear(2 * hidden, classes)

    def forward(self, tokens, lengths):
        x = self.embedding(tokens)
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        _, (h_n, _) = self.rnn(packed)
        h = torch.cat([h_n[-2], h_n[-1]], dim=1)  # last layer: forward and reverse final states
        return self.head(self.dropout(self.norm(h)))


def main():
    torch.set_num_threads(1)
    torch.manual_seed(4)
    model = Classifier()
    with torch.no_grad():  # as if trained: LayerNorm's weight 1 and bias 0 would test nothing
        model.norm.weight.copy_(1 + 0.3 * torch.randn(24))
        model.norm.bias.copy_(0.2 * torch.randn(24))
        for p in model.rnn.parameters():
            p.mul_(3)  # states that differ between sequences, so that the classes do
    model.eval()
    lengths = torch.tensor([7, 3, 5, 1], dtype=torch.int64)
    tokens = torch.zeros(4, 7, dtype=torch.int64)
    for b, n in enumerate(lengths.tolist()):
        tokens[b, :n] = torch.randint(1, 40, (n,))
    with torch.no_grad():
        logits = model(tokens, lengths)
    save_file(model.state_dict(), os.path.join(OUT, 'classifier.safetensors'), metadata={'format': 'pt'})
    np.save(os.path.join(OUT, 'classifier_tokens.npy'), tokens.numpy())
    np.save(os.path.join(OUT, 'classifier_lengths.npy'), lengths.numpy())
    np.save(os.path.join(OUT, 'classifier_logits.npy'), logits.numpy())
    print(f'classifier: {sum(p.numel() for p in model.parameters())} parameters, logits {tuple(logits.shape)} '
          f'(torch {torch.__version__})')


if __name__ == '__main__':
    main()
