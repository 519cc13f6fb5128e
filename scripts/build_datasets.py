"""Regenerate the data files shipped in ``rnnreg/data/files/`` and print their SHA-256 digests.

Maintainers only: users never run this, the files are in the repository and in every install.

The numbers come from an installed scikit-learn, whose wheel carries copies of the UCI Iris and UCI
"Optical Recognition of Handwritten Digits" (test part) data; scikit-learn is only the carrier (see
``rnnreg/data/SOURCES.md``). Install it in a scratch virtual environment, never in the project's::

    python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn
    /tmp/skvenv/bin/python scripts/build_datasets.py            # writes the files, prints digests
    /tmp/skvenv/bin/python scripts/build_datasets.py --check    # writes nothing, compares only

The output is deterministic: the same numbers always give the same bytes. ``iris.csv`` is plain ASCII text.
``digits.csv.gz`` is a gzip member whose header is written here byte by byte (no time stamp, no file name,
OS byte 255), so neither the clock nor the Python version changes it; only the deflate stream depends on
zlib, and zlib's level-9 output has been stable for many years. Should a different zlib build (zlib-ng, for
example) ever produce other compressed bytes for the same numbers, this script notices that the decoded
content is unchanged and keeps the shipped file, so the digests in ``rnnreg/data/datasets.py`` stay valid.

After a real change of content, copy the printed digests into ``IRIS_SHA256`` / ``DIGITS_SHA256`` in
``rnnreg/data/datasets.py``.
"""

import argparse
import gzip
import hashlib
import struct
import sys
import zlib
from pathlib import Path

import numpy as np

REPOSITORY = Path(__file__).resolve().parent.parent
FILES = REPOSITORY / "rnnreg" / "data" / "files"

IRIS_HEADER = "sepal_length_cm,sepal_width_cm,petal_length_cm,petal_width_cm,label"
DIGITS_HEADER = ",".join(f"pixel_{row}_{column}" for row in range(8) for column in range(8)) + ",label"


def sklearn_data_folder():
    """Folder of the CSV files inside the installed scikit-learn package."""
    try:
        import sklearn
    except ImportError:
        sys.exit(
            "scikit-learn is not installed in this interpreter. Use a scratch venv:\n"
            "  python3 -m venv /tmp/skvenv && /tmp/skvenv/bin/pip install scikit-learn\n"
            "  /tmp/skvenv/bin/python scripts/build_datasets.py"
        )
    folder = Path(sklearn.__file__).resolve().parent / "datasets" / "data"
    for name in ("iris.csv", "digits.csv.gz"):
        if not (folder / name).is_file():
            sys.exit(f"{folder / name} not found: this scikit-learn version stores its data elsewhere")
    return folder, sklearn.__version__


def read_sklearn_iris(folder):
    """Features (150, 4) float64 and labels (150,) int64 from scikit-learn's iris.csv.

    Its first line is ``150,4,setosa,versicolor,virginica`` (counts and class names), then one row per flower.
    """
    lines = (folder / "iris.csv").read_text(encoding="ascii").splitlines()
    table = np.loadtxt(lines[1:], delimiter=",", dtype=np.float64, ndmin=2)
    features, labels = table[:, :4], table[:, 4]
    if features.shape != (150, 4) or not np.array_equal(labels, np.round(labels)):
        sys.exit(f"unexpected iris.csv layout: table of shape {table.shape}")
    return features, labels.astype(np.int64)


def read_sklearn_digits(folder):
    """Pixels (1797, 64) uint8 in 0..16 and labels (1797,) int64 from scikit-learn's digits.csv.gz."""
    text = gzip.decompress((folder / "digits.csv.gz").read_bytes()).decode("ascii")
    table = np.loadtxt(text.splitlines(), delimiter=",", dtype=np.float64, ndmin=2)
    if table.shape != (1797, 65) or not np.array_equal(table, np.round(table)):
        sys.exit(f"unexpected digits.csv.gz layout: table of shape {table.shape}")
    pixels, labels = table[:, :64], table[:, 64]
    if pixels.min() < 0 or pixels.max() > 16 or labels.min() < 0 or labels.max() > 9:
        sys.exit("unexpected digits.csv.gz values: pixels must lie in 0..16 and labels in 0..9")
    return pixels.astype(np.uint8), labels.astype(np.int64)


def iris_text(features, labels):
    # repr() of a float is the shortest text that parses back to the same float64, on every Python 3.
    rows = [
        ",".join([*(repr(float(value)) for value in row), str(int(label))])
        for row, label in zip(features, labels, strict=True)
    ]
    return "\n".join([IRIS_HEADER, *rows]) + "\n"


def digits_text(pixels, labels):
    rows = [
        ",".join([*(str(int(value)) for value in row), str(int(label))])
        for row, label in zip(pixels, labels, strict=True)
    ]
    return "\n".join([DIGITS_HEADER, *rows]) + "\n"


def deterministic_gzip(data):
    """One gzip member (RFC 1952) with a fixed header: no time stamp, no file name, XFL 2, OS 255."""
    compressor = zlib.compressobj(level=9, method=zlib.DEFLATED, wbits=-zlib.MAX_WBITS, memLevel=9)
    deflated = compressor.compress(data) + compressor.flush()
    header = b"\x1f\x8b\x08\x00" + b"\x00\x00\x00\x00" + b"\x02\xff"
    trailer = struct.pack("<II", zlib.crc32(data) & 0xFFFFFFFF, len(data) & 0xFFFFFFFF)
    return header + deflated + trailer


def decoded(path, content):
    return gzip.decompress(content) if path.suffix == ".gz" else content


def build(check_only):
    folder, version = sklearn_data_folder()
    print(f"reading scikit-learn {version} data from {folder}")
    features, iris_labels = read_sklearn_iris(folder)
    pixels, digit_labels = read_sklearn_digits(folder)

    iris_bytes = iris_text(features, iris_labels).encode("ascii")
    digits_bytes = deterministic_gzip(digits_text(pixels, digit_labels).encode("ascii"))

    # Round trip: what the loaders will read must be exactly what scikit-learn ships.
    parsed = np.loadtxt(iris_bytes.decode("ascii").splitlines()[1:], delimiter=",", ndmin=2)
    assert np.array_equal(parsed[:, :4], features) and np.array_equal(parsed[:, 4], iris_labels)
    parsed = np.loadtxt(gzip.decompress(digits_bytes).decode("ascii").splitlines()[1:], delimiter=",", ndmin=2)
    assert np.array_equal(parsed[:, :64], pixels) and np.array_equal(parsed[:, 64], digit_labels)

    FILES.mkdir(parents=True, exist_ok=True)
    problems = 0
    for name, content in (("iris.csv", iris_bytes), ("digits.csv.gz", digits_bytes)):
        path = FILES / name
        old = path.read_bytes() if path.is_file() else None
        if old == content:
            status = "unchanged"
        elif old is not None and decoded(path, old) == decoded(path, content):
            # Same numbers, other compressed bytes (another zlib build): keep the shipped bytes and digest.
            status = "same content, other compressed bytes from this zlib; kept the shipped file"
            content = old
        elif check_only:
            status = "DIFFERS from the shipped file" if old is not None else "MISSING"
            problems += 1
        else:
            path.write_bytes(content)
            status = "written (update the digest in rnnreg/data/datasets.py)"
        digest = hashlib.sha256(content).hexdigest()
        print(f"{name:14s} {len(content):7d} bytes  sha256 {digest}  {status}")
    return problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the shipped files, write nothing")
    arguments = parser.parse_args()
    sys.exit(1 if build(arguments.check) else 0)


if __name__ == "__main__":
    main()
