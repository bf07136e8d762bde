"""Reads a spiking-gan model file with NumPy alone and writes a weights-only copy (no metadata),
the way a NumPy/PyTorch user would hand weights to `spiking-gan classify eval`.

usage: python3 scripts/numpy_weights.py IN.safetensors OUT.safetensors
"""
import json
import struct
import sys

import numpy as np

DT = {"F64": np.float64, "F32": np.float32, "I32": np.int32}


def load(path):
    raw = open(path, "rb").read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    data = raw[8 + n :]
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        a, b = t["data_offsets"]
        out[name] = np.frombuffer(data[a:b], dtype=DT[t["dtype"]]).reshape(t["shape"])
    return out


def save(path, tensors):
    header, blobs, off = {}, [], 0
    for name in sorted(tensors):
        arr = np.ascontiguousarray(tensors[name], dtype=np.float32)
        b = arr.tobytes()
        header[name] = {"dtype": "F32", "shape": list(arr.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


if __name__ == "__main__":
    src = load(sys.argv[1])
    weights = {k: v for k, v in src.items() if k.startswith("layers.") and k.endswith(".weight")}
    for k, v in sorted(weights.items()):
        print(f"{k}: shape {list(v.shape)}, mean {v.mean():.4f}")
    save(sys.argv[2], weights)
