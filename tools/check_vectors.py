#!/usr/bin/env python3
"""Independent check of the sealed-session cookie format, version 1.

Written from FORMAT.md alone (not from the Rust sources) to show that the
document is enough to seal and open cookies byte-for-byte. For every vector in
tests/vectors/v1.json it seals (and compares aad, plaintext and cookie), opens
(and compares every field), and checks that tampering is rejected. For every
chunked vector in tests/vectors/v1-chunked.json (section 11) it does the same
with the count byte in the associated data, lays the value out into chunks
(and compares every chunk and Set-Cookie line), opens the chunks, and checks
that dropped, reordered, re-counted and foreign chunks are rejected. It also
parses every vector's key text by the grammar of section 12 (after a
self-test of that grammar) and checks that DEFLATE padding bits carry
nothing (section 6). Postcard payloads are compared as bytes, never decoded,
so section 6's varint rule (overlong forms accepted) holds trivially here;
MessagePack payloads are decoded (the subset the vectors use), checked to
name the session type's fields, and encoded back to the same bytes. Each
vector's schema id is checked by section 13: an explicit version as
recorded, or the traced id, the SHA-256 of the domain label and the shape
text, which is itself rebuilt here from the type by the grammar.

Usage: python3 tools/check_vectors.py [vector files...]
(default: tests/vectors/v1.json and tests/vectors/v1-chunked.json; a vector
with a "chunks" field is checked as a chunked one).
Needs pycryptodome (pip install pycryptodome).
"""
import base64, hashlib, json, os, re, struct, sys, zlib
from Crypto.Cipher import AES, ChaCha20_Poly1305

# FORMAT.md section 3: code and nonce length. The vector names are not in
# FORMAT.md; the mapping is read off the description/header byte of the vectors.
ALGS = {"xaes256gcm": (0x01, 24), "xchacha20poly1305": (0x02, 24), "aes256gcm": (0x03, 12)}
NONCE_LEN = {code: n for code, n in ALGS.values()}
MAX_TIME = 253402300799          # 9999-12-31T23:59:59Z, section 5
LEEWAY = 60                      # crate default clock leeway, section 5
MAX_COOKIE = 4096                # crate default maximum cookie size, section 1
MAX_INFLATE = 64 * 1024          # crate default decompression limit, section 6
MAX_AGE_CAP = 34560000           # 400 days, section 7
ENVELOPE_FIXED = 30              # flags, session_id, issued_at, lifetime, schema; section 5
FLAG_IDLE, FLAG_SUBJECT, FLAG_COMPRESSED, FLAG_MESSAGEPACK = 1, 2, 4, 8
FLAG_BROWSER_SESSION = 16       # bit 4: no Max-Age (section 7), opens as usual
UNKNOWN_FLAGS = 0xE0             # bits 5-7, section 5
SCHEMA_LABEL = b"sealed-session schema v1\0"   # section 13


class Reject(Exception):
    """The cookie does not open; the message is the reason named in FORMAT.md."""


# ---- XAES-256-GCM (C2SP), built from AES-ECB for the key derivation and AES-GCM.
def xaes_subkey(key, n12):
    ecb = AES.new(key, AES.MODE_ECB)
    l = int.from_bytes(ecb.encrypt(bytes(16)), "big")
    # K1 is the CMAC subkey: a 128-bit doubling in GF(2^128) (shift, reduce by 0x87).
    k1 = ((l << 1) & ((1 << 128) - 1)) ^ (0x87 if l >> 127 else 0)
    k1 = k1.to_bytes(16, "big")
    xor = lambda a, b: bytes(x ^ y for x, y in zip(a, b))
    return b"".join(ecb.encrypt(xor(k1, bytes([0, i, 0x58, 0]) + n12)) for i in (1, 2))


def aead(code, key, nonce):
    if code == 0x01:
        return AES.new(xaes_subkey(key, nonce[:12]), AES.MODE_GCM, nonce=nonce[12:], mac_len=16)
    if code == 0x02:  # a 24-byte nonce selects XChaCha20-Poly1305 in pycryptodome
        return ChaCha20_Poly1305.new(key=key, nonce=nonce)
    return AES.new(key, AES.MODE_GCM, nonce=nonce, mac_len=16)


def seal_raw(code, key, nonce, aad, pt):
    c = aead(code, key, nonce)
    c.update(aad)
    ct, tag = c.encrypt_and_digest(pt)
    return ct + tag  # section 3: tag last


def xaes_selftest():
    # C2SP XAES-256-GCM.md test vectors (also in RustCrypto aes-gcm/tests/xaes256gcm.rs).
    n = b"ABCDEFGHIJKLMNOPQRSTUVWX"
    for k, aad, want in ((b"\x01" * 32, b"", "ce546ef63c9cc60765923609b33a9a1974e96e52daf2fcf7075e2271"),
                         (b"\x03" * 32, b"c2sp.org/XAES-256-GCM",
                          "986ec1832593df5443a179437fd083bf3fdb41abd740a21f71eb769d")):
        assert seal_raw(0x01, k, n, aad, b"XAES-256-GCM").hex() == want, "XAES-256-GCM self-test"


# ---- Section 1: strict unpadded base64url.
B64 = re.compile(r"[A-Za-z0-9_-]+\Z")

def b64encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def b64decode_strict(s, limit):
    if len(s) > limit: raise Reject("too large")  # checked before decoding
    if not s or not B64.match(s) or len(s) % 4 == 1: raise Reject("bad encoding")
    raw = base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))
    # Non-zero unused low bits decode fine in Python; re-encoding exposes them.
    if b64encode(raw) != s: raise Reject("non-canonical encoding")
    return raw


# ---- Sections 2, 4, 5: header, associated data, envelope.
def header(code, key_id):
    return bytes([0x01, code]) + struct.pack(">I", key_id)


def make_aad(hdr, name, purpose):
    n, p = name.encode("ascii"), purpose.encode()
    assert 1 <= len(n) <= 255 and len(p) <= 255
    return hdr + bytes([len(n)]) + n + bytes([len(p)]) + p


def u40(n):
    assert 0 <= n < 1 << 40
    return n.to_bytes(5, "big")


def make_envelope(sid, issued, expires, idle_deadline, subject, body, compressed, schema, messagepack):
    flags = ((idle_deadline is not None) * FLAG_IDLE | (subject is not None) * FLAG_SUBJECT
             | compressed * FLAG_COMPRESSED | messagepack * FLAG_MESSAGEPACK)
    out = bytes([flags]) + sid + u40(issued) + struct.pack(">II", expires - issued, schema)
    assert len(out) == ENVELOPE_FIXED
    if idle_deadline is not None: out += struct.pack(">I", idle_deadline - issued)
    if subject is not None: s = subject.encode(); out += bytes([len(s)]) + s
    return out + body


def open_cookie(value, keyring, name, purpose, now, leeway=LEEWAY, count=None, limit=None, ttl=None,
                schema=None, names=None):
    """Open per FORMAT.md, in its order. keyring: key_id -> (alg code, key).
    count: the chunk count of a joined chunked value (section 11), appended
    to the associated data; limit: the reader's length limit for the value;
    ttl: the reader's TTL, which caps every lifetime (section 5); schema:
    the schema id of the type the reader opens as (section 13; None: any),
    names: that type's required field names. Payloads stay bytes: decoding
    them is the session type's business."""
    if limit is None: limit = MAX_COOKIE - len(name) - 1
    sealed = b64decode_strict(value, limit)
    if len(sealed) < 6: raise Reject("too short")
    if sealed[0] != 0x01: raise Reject("unsupported version")
    code = sealed[1]
    if code not in NONCE_LEN: raise Reject("unknown algorithm")
    nlen = NONCE_LEN[code]
    if len(sealed) < 6 + nlen + 16: raise Reject("too short")
    key_id = struct.unpack(">I", sealed[2:6])[0]
    if key_id not in keyring: raise Reject("unknown key")
    kcode, key = keyring[key_id]
    if kcode != code: raise Reject("algorithm mismatch")  # before any decryption
    nonce, ct, tag = sealed[6:6 + nlen], sealed[6 + nlen:-16], sealed[-16:]
    c = aead(code, key, nonce)
    c.update(make_aad(sealed[:6], name, purpose) + (b"" if count is None else bytes([count])))
    try:
        env = c.decrypt_and_verify(ct, tag)
    except ValueError:
        raise Reject("unauthenticated") from None

    # Envelope (section 5): any truncation or bad value is "malformed envelope".
    def take(n):
        nonlocal pos
        if pos + n > len(env): raise Reject("malformed envelope")
        pos += n
        return env[pos - n:pos]
    pos = 0
    flags = take(1)[0]
    if flags & UNKNOWN_FLAGS: raise Reject("malformed envelope")
    f = {"flags": flags, "session_id": take(16).hex()}
    issued = int.from_bytes(take(5), "big")
    lifetime, f["schema"] = struct.unpack(">II", take(8))
    f["issued_at"], f["expires_at"] = issued, issued + lifetime
    f["idle_deadline"] = issued + struct.unpack(">I", take(4))[0] if flags & 1 else None
    try:
        f["subject"] = take(take(1)[0]).decode("utf-8") if flags & 2 else None
    except UnicodeDecodeError:
        raise Reject("malformed envelope") from None
    if max(x for x in (issued, f["expires_at"], f["idle_deadline"]) if x is not None) > MAX_TIME:
        raise Reject("malformed envelope")
    body = env[pos:]

    if issued > now + 2 * leeway: raise Reject("not yet valid")
    if ttl is not None and lifetime > ttl: raise Reject("lifetime too long")
    if now >= f["expires_at"] + leeway: raise Reject("expired")
    if f["idle_deadline"] is not None and now >= f["idle_deadline"] + leeway:
        raise Reject("idle expired")

    if flags & 4:  # raw DEFLATE, bounded output; trailing bytes count as invalid
        d = zlib.decompressobj(-15)
        try:
            out = d.decompress(body, MAX_INFLATE + 1)
        except zlib.error:
            raise Reject("malformed compression") from None
        if len(out) > MAX_INFLATE: raise Reject("decompressed too large")
        if not d.eof or d.unused_data: raise Reject("malformed compression")
        body = out
    # Section 13: another schema than the reader's type. This reader has no
    # migrations; a MessagePack payload is tried by field names: it reads as
    # the type when its top-level map has every field the type requires
    # (`names`; unknown ones are skipped).
    if schema is not None and f["schema"] != schema:
        if not (flags & FLAG_MESSAGEPACK and names is not None): raise Reject("schema mismatch")
        try:
            value, end = mp_decode(body)
        except (ValueError, IndexError, UnicodeDecodeError):
            raise Reject("schema mismatch") from None
        if end != len(body) or not isinstance(value, dict) or not set(names) <= set(value):
            raise Reject("schema mismatch")
    f["payload"] = body.hex()  # postcard or MessagePack bytes, compared as bytes
    return f


# ---- Section 13: schema ids.
def traced_id(shape_text):
    digest = hashlib.sha256(SCHEMA_LABEL + shape_text.encode()).digest()
    return int.from_bytes(digest[:4], "big") | 0x80000000


def shape(ty, enums=None):
    """The shape text of a type described as nested tuples, by the grammar of
    section 13: ("struct", name, [(field, ty)...]), ("enum", name,
    [(variant, content)...]) where content is "()", a type, ("tuple", [...])
    or ("fields", [...]); ("seq", ty), ("option", ty), ("map", k, v),
    ("tuple", [ty...]); a scalar name. Returns the text of the top type
    followed by one line per enum reached, sorted by name."""
    top = enums is None
    enums = {} if top else enums
    def fields(fs): return "".join(f"{n}:{shape(t, enums)}," for n, t in fs)
    if isinstance(ty, str): out = ty
    elif ty[0] == "struct": out = f"{ty[1]}{{{fields(ty[2])}}}"
    elif ty[0] == "seq": out = f"seq<{shape(ty[1], enums)},>"
    elif ty[0] == "option": out = f"option<{shape(ty[1], enums)}>"
    elif ty[0] == "map": out = f"map<{shape(ty[1], enums)}=>{shape(ty[2], enums)}>"
    elif ty[0] == "tuple": out = "tuple(" + "".join(shape(t, enums) + "," for t in ty[1]) + ")"
    elif ty[0] == "enum":
        out = f"enum {ty[1]}"
        if ty[1] not in enums:
            enums[ty[1]] = None  # reserved: a recursive enum would need "@" (not used here)
            body = []
            for variant, content in ty[2]:
                if content == "()": text = "()"
                elif content[0] == "fields": text = "{" + fields(content[1]) + "}"
                else: text = shape(content, enums)
                body.append(f"{variant}:{text};")
            enums[ty[1]] = "".join(body)
    else: raise ValueError(ty)
    if top:
        out += "".join(f"\nenum {n}{{{enums[n]}}}" for n in sorted(enums, key=str.encode))
    return out


# The vectors' session type, FORMAT.md section 9.
DEMO = ("struct", "Demo", [("user", "str"), ("roles", ("seq", "str")), ("visits", "u32")])


def schema_selftest():
    # tests/schema_trace.rs: fixed ids across builds and platforms.
    assert shape("u32") == "u32" and traced_id("u32") == 0xE66BD908, "traced id of u32"
    demo = ("struct", "Demo", [("user", "str"), ("visits", "u32"),
                               ("roles", ("seq", ("enum", "Role", [
                                   ("Admin", "()"), ("Editor", ("fields", [("sections", ("seq", "u16"))])),
                                   ("Viewer", "u8")]))),
                               ("theme", ("option", ("enum", "Theme", [("Light", "()"), ("Dark", "()")])))])
    text = shape(demo)
    assert text == ("Demo{user:str,visits:u32,roles:seq<enum Role,>,theme:option<enum Theme>,}\n"
                    "enum Role{Admin:();Editor:{sections:seq<u16,>,};Viewer:u8;}\n"
                    "enum Theme{Light:();Dark:();}"), text
    assert traced_id(text) == 0xD3E76FD9, "traced id of the enum example"


# ---- Section 6: MessagePack, the subset the vectors use.
def mp_decode(b, pos=0):
    """(value, next position); structs come back as dicts in wire order."""
    m = b[pos]
    def n(size): return int.from_bytes(b[pos + 1:pos + 1 + size], "big")
    if m <= 0x7F: return m, pos + 1
    if m >> 4 == 0x8: return mp_map(b, pos + 1, m & 0x0F)
    if m >> 4 == 0x9: return mp_array(b, pos + 1, m & 0x0F)
    if m >> 5 == 0b101: return b[pos + 1:pos + 1 + (m & 0x1F)].decode(), pos + 1 + (m & 0x1F)
    if m in (0xCC, 0xCD, 0xCE, 0xCF):
        size = 1 << (m - 0xCC)
        return n(size), pos + 1 + size
    if m in (0xD9, 0xDA):
        size = 1 << (m - 0xD9)
        ln = n(size)
        return b[pos + 1 + size:pos + 1 + size + ln].decode(), pos + 1 + size + ln
    if m in (0xDC, 0xDD): return mp_array(b, pos + 1 + (2 << (m - 0xDC)), n(2 << (m - 0xDC)))
    if m in (0xDE, 0xDF): return mp_map(b, pos + 1 + (2 << (m - 0xDE)), n(2 << (m - 0xDE)))
    raise ValueError(f"MessagePack marker {m:#x} not in the vectors' subset")


def mp_array(b, pos, count):
    out = []
    for _ in range(count):
        v, pos = mp_decode(b, pos)
        out.append(v)
    return out, pos


def mp_map(b, pos, count):
    out = {}
    for _ in range(count):
        k, pos = mp_decode(b, pos)
        out[k], pos = mp_decode(b, pos)
    return out, pos


def mp_encode(v):
    """The shortest form of each value, as MessagePack writers emit it."""
    def head(count, fix, m16, m32):
        if count < 16: return bytes([fix | count])
        return bytes([m16]) + count.to_bytes(2, "big") if count < 1 << 16 else bytes([m32]) + count.to_bytes(4, "big")
    if isinstance(v, int):
        if v < 0x80: return bytes([v])
        for m, size in ((0xCC, 1), (0xCD, 2), (0xCE, 4), (0xCF, 8)):
            if v < 1 << (8 * size): return bytes([m]) + v.to_bytes(size, "big")
    if isinstance(v, str):
        s = v.encode()
        if len(s) < 32: return bytes([0xA0 | len(s)]) + s
        return (bytes([0xD9, len(s)]) if len(s) < 256 else bytes([0xDA]) + len(s).to_bytes(2, "big")) + s
    if isinstance(v, list): return head(len(v), 0x90, 0xDC, 0xDD) + b"".join(map(mp_encode, v))
    if isinstance(v, dict):
        return head(len(v), 0x80, 0xDE, 0xDF) + b"".join(mp_encode(k) + mp_encode(x) for k, x in v.items())
    raise ValueError(v)


def check_messagepack_payload(payload, ty):
    """Section 6: a struct is a map from field name to value, in declaration
    order; decoding uses every byte; encoding the value again gives the same
    bytes. Returns a list of errors."""
    value, end = mp_decode(payload)
    errors = []
    if end != len(payload): errors.append(f"MessagePack payload: {len(payload) - end} bytes left over")
    if not isinstance(value, dict) or list(value) != [name for name, _ in ty[2]]:
        errors.append(f"MessagePack payload is not a map of {ty[1]}'s field names: {value!r}")
    if mp_encode(value) != payload: errors.append("MessagePack payload is not in shortest form")
    return errors


# ---- Section 12: key text.
# WS is the Unicode White_Space property, spelled out: Python's str.strip()
# also strips U+001C..U+001F, which are not WS.
WS = "".join(map(chr, [*range(0x09, 0x0E), 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                       0x2028, 0x2029, 0x202F, 0x205F, 0x3000]))
KEY_TEXT = re.compile(r"ss1:(xaes256gcm|xchacha20poly1305|aes256gcm):(0|[1-9][0-9]{0,9}):"
                      r"([A-Za-z0-9_-]{42}[AEIMQUYcgkosw048])\Z")


def parse_key_text(text):
    """Section 12: key-text, optionally surrounded by WS. Returns
    (algorithm code, key id, key bytes), or raises Reject."""
    m = KEY_TEXT.match(text.strip(WS))
    if not m or int(m[2]) > 0xFFFFFFFF: raise Reject("key text")
    key = base64.urlsafe_b64decode(m[3] + "=")
    assert b64encode(key) == m[3]  # canonical by the last-char rule
    return ALGS[m[1]][0], int(m[2]), key


def key_text_selftest():
    good = "ss1:aes256gcm:4:" + b64encode(bytes(range(32)))
    assert parse_key_text(good) == (0x03, 4, bytes(range(32)))
    assert parse_key_text("\u3000\x85 " + good + "\r\n") == parse_key_text(good)
    stem = good[:-1]
    bad = [good + "=", stem, stem + "B", good.replace(":4:", ":04:"), good.replace(":4:", ":4294967296:"),
           good.replace("aes", "AES"), good.replace("ss1", "SS1"), good.replace(":4:", ": 4:"),
           "\ufeff" + good, good + "\x1f", good[:20] + "+" + good[21:], good[:20] + "/" + good[21:]]
    for text in bad:
        try:
            parse_key_text(text)
            raise AssertionError(f"key text accepted: {text!r}")
        except Reject:
            pass
    assert parse_key_text(good.replace(":4:", ":4294967295:"))[1] == 0xFFFFFFFF


# ---- Per-vector checks.
def check_schema(v, doc, expect):
    """Section 13 for one vector: the recorded id is the explicit version,
    or the traced id of the file's schema_shape, which must be the shape of
    the vectors' type rebuilt here. Section 6: the codec field and flag agree,
    and a MessagePack payload names the type's fields."""
    e, errors = v["envelope"], []
    expect("schema_shape", doc.get("schema_shape"), shape(DEMO))
    if v["schema_version"] is None:
        expect("schema (traced)", e["schema"], traced_id(doc.get("schema_shape", "")))
        expect("traced id high bit", e["schema"] >> 31, 1)
    else:
        expect("schema (explicit version)", e["schema"], v["schema_version"])
        expect("explicit version range", 0 <= v["schema_version"] <= 0xFFFF, True)
    if v["codec"] not in ("postcard", "messagepack"): errors.append(f"codec {v['codec']!r}")
    messagepack = v["codec"] == "messagepack"
    expect("flags bit 3 (MessagePack)", bool(e["flags"] & FLAG_MESSAGEPACK), messagepack)
    if messagepack: errors += check_messagepack_payload(bytes.fromhex(v["payload"]), DEMO)
    return messagepack, errors


def check_vector(v, doc):
    errors = []
    def expect(what, got, want):
        if got != want: errors.append(f"{what}: got {got!r}, want {want!r}")

    code, nlen = ALGS[v["algorithm"]]
    key, nonce, e = bytes.fromhex(v["key"]), bytes.fromhex(v["nonce"]), v["envelope"]
    name, purpose, now = v["cookie_name"], v["purpose"], v["clock"]
    expect("nonce length", len(nonce), nlen)
    compressed = v["compressed_payload"] is not None
    body = bytes.fromhex(v["compressed_payload"] if compressed else v["payload"])
    messagepack, schema_errors = check_schema(v, doc, expect)
    errors += schema_errors

    # (1) Seal: every intermediate byte string must match the vector.
    hdr = header(code, v["key_id"])
    aad = make_aad(hdr, name, purpose)
    pt = make_envelope(bytes.fromhex(e["session_id"]), e["issued_at"], e["expires_at"],
                       e["idle_deadline"], e["subject"], body, compressed, e["schema"], messagepack)
    expect("aad", aad.hex(), v["aad"])
    expect("plaintext", pt.hex(), v["plaintext"])
    expect("flags", pt[0], e["flags"])
    expect("cookie", b64encode(hdr + nonce + seal_raw(code, key, nonce, aad, pt)), v["cookie"])
    # Fields outside FORMAT.md, cross-checked as far as their meaning is evident.
    expect("ttl", e["expires_at"] - e["issued_at"], v["ttl"])
    if v["idle_timeout"] is not None: expect("idle_timeout", e["idle_deadline"] - now, v["idle_timeout"])
    expect("key_text", v["key_text"], f"ss1:{v['algorithm']}:{v['key_id']}:{b64encode(key)}")
    expect("key_text parsed", parse_key_text(v["key_text"]), (code, v["key_id"], key))

    # (2) Open: every field must come back, as the type of the recorded schema.
    keyring = {v["key_id"]: (code, key)}
    demo_names = [n for n, _ in DEMO[2]]
    try:
        got = open_cookie(v["cookie"], keyring, name, purpose, now, schema=e["schema"], names=demo_names)
        expect("opened", got, dict(e, payload=v["payload"]))
    except Reject as r:
        errors.append(f"open rejected: {r}")
    # A reader whose type has another schema id (section 13): a postcard
    # payload is a mismatch; a MessagePack one is read by its field names,
    # unless a field the reader requires is missing.
    other = e["schema"] ^ 1
    try:
        open_cookie(v["cookie"], keyring, name, purpose, now, schema=other, names=demo_names)
        if not messagepack: errors.append("opened under another schema id")
    except Reject as r:
        if messagepack or str(r) != "schema mismatch": errors.append(f"other schema id: {r}")
    try:
        open_cookie(v["cookie"], keyring, name, purpose, now, schema=other, names=demo_names + ["theme"])
        errors.append("opened under another schema id with a field the payload lacks")
    except Reject as r:
        expect("other schema id, missing field", str(r), "schema mismatch")

    # (3) Negative: each must be rejected.
    def must_reject(what, value, nm=name, pp=purpose, at=now):
        try:
            open_cookie(value, keyring, nm, pp, at)
            errors.append(f"{what}: accepted")
        except Reject:
            pass
    sealed = bytearray(base64.urlsafe_b64decode(v["cookie"] + "=" * (-len(v["cookie"]) % 4)))
    for bit in range(len(sealed) * 8):
        sealed[bit // 8] ^= 1 << bit % 8
        must_reject(f"bit flip {bit}", b64encode(bytes(sealed)))
        sealed[bit // 8] ^= 1 << bit % 8
    must_reject("other cookie name", v["cookie"], nm=name + "x")
    must_reject("other purpose", v["cookie"], pp=purpose + "x")
    c = v["cookie"]
    for bad in (c + "=" * (-len(c) % 4 or 4), c + " ", c + "\n", " " + c, c.replace("-", "+").replace("_", "/")):
        if bad != c: must_reject(f"bad encoding {bad[-3:]!r}", bad)
    if len(c) % 4:  # flip an unused low bit of the last character (non-canonical)
        alpha = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
        must_reject("non-canonical", c[:-1] + alpha[alpha.index(c[-1]) ^ 1])
    # Section 6: DEFLATE padding bits carry nothing. Postcard "abc" as a final
    # stored block with its 5 alignment bits set, and as a final fixed-Huffman
    # block with the 6 bits after its end-of-block code set.
    for stream in (bytes([0xF9, 4, 0, 0xFB, 0xFF, 3]) + b"abc", bytes([0x63, 0x4E, 0x4C, 0x4A, 0x06, 0xFC])):
        pt2 = make_envelope(bytes.fromhex(e["session_id"]), e["issued_at"], e["expires_at"],
                            e["idle_deadline"], e["subject"], stream, True, e["schema"], False)
        forged = b64encode(hdr + nonce + seal_raw(code, key, nonce, aad, pt2))
        try:
            expect(f"padding bits {stream.hex()}", open_cookie(forged, keyring, name, purpose, now)["payload"],
                   "03616263")
        except Reject as r:
            errors.append(f"padding bits {stream.hex()}: rejected: {r}")
    # Deadline boundaries (section 5), one second either side of each edge.
    must_reject("not yet valid", c, at=e["issued_at"] - 2 * LEEWAY - 1)
    try:
        open_cookie(c, keyring, name, purpose, now, ttl=v["ttl"] - 1)
        errors.append("lifetime over a shorter reader's TTL: accepted")
    except Reject:
        pass
    try: open_cookie(c, keyring, name, purpose, now, ttl=v["ttl"])
    except Reject as r: errors.append(f"lifetime at the TTL: {r}")
    must_reject("expired", c, at=e["expires_at"] + LEEWAY)
    if e["idle_deadline"] is not None: must_reject("idle expired", c, at=e["idle_deadline"] + LEEWAY)
    for at in (e["issued_at"] - 2 * LEEWAY, min(e["expires_at"], e["idle_deadline"] or MAX_TIME) + LEEWAY - 1):
        try: open_cookie(c, keyring, name, purpose, at)
        except Reject as r: errors.append(f"open at {at}: {r}")
    return errors


# ---- Section 11: chunked values.
DECIMAL = re.compile(r"[1-9][0-9]*\Z")


def open_chunks(jar, keyring, name, purpose, now, max_chunks, max_cookie=MAX_COOKIE):
    """Open what a request carried (jar: cookie name -> value) per section 11:
    the single cookie if present, else name.0 .. name.{n-1} joined."""
    if name in jar:
        return open_cookie(jar[name], keyring, name, purpose, now)
    first = jar.get(name + ".0")
    if first is None: raise Reject("empty")
    digits, dot, head = first.partition(".")
    if not dot or not DECIMAL.match(digits) or not 2 <= int(digits) <= max_chunks:
        raise Reject("malformed chunks")
    n = int(digits)
    parts = [head] + [jar.get(f"{name}.{k}") for k in range(1, n)]
    if any(not p for p in parts): raise Reject("malformed chunks")
    return open_cookie("".join(parts), keyring, name, purpose, now, count=n, limit=n * max_cookie)


def layout(value_len, name, max_age, attrs, max_cookie, max_chunks, budget):
    """The crate's writer layout (section 11): the fewest cookies that fit,
    each part as long as its Set-Cookie line allows; the header budget
    bounds chunks only, never one plain cookie. Returns (n, caps)."""
    fixed = len(f"; Max-Age={max_age}") + len(attrs)
    for n in range(1, max_chunks + 1):
        if n == 1:  # one plain cookie: the budget does not apply
            caps = [max_cookie - (len(name) + 1 + fixed)]
            room = caps[0]
        else:
            pre = lambda k: len(f"{n}.") if k == 0 else 0
            caps = [max_cookie - (len(f"{name}.{k}=") + pre(k) + fixed) for k in range(n)]
            overhead = sum(len(f"{name}.{k}=") + pre(k) for k in range(n)) + len("; ") * (n - 1)
            room = min(sum(caps), budget - overhead)
        if value_len <= room:
            return n, caps
    return None, None


def check_chunked_vector(v, doc):
    errors = []
    def expect(what, got, want):
        if got != want: errors.append(f"{what}: got {got!r}, want {want!r}")

    code, nlen = ALGS[v["algorithm"]]
    key, nonce, e = bytes.fromhex(v["key"]), bytes.fromhex(v["nonce"]), v["envelope"]
    name, purpose, now, n = v["cookie_name"], v["purpose"], v["clock"], v["chunk_count"]
    max_cookie, max_chunks = v["max_cookie_size"], v["max_chunks"]
    expect("nonce length", len(nonce), nlen)
    messagepack, schema_errors = check_schema(v, doc, expect)
    errors += schema_errors

    # (1) Seal: AAD with the count byte, envelope, the joined value.
    hdr = header(code, v["key_id"])
    aad = make_aad(hdr, name, purpose) + bytes([n])
    pt = make_envelope(bytes.fromhex(e["session_id"]), e["issued_at"], e["expires_at"],
                       e["idle_deadline"], e["subject"], bytes.fromhex(v["payload"]), False, e["schema"],
                       messagepack)
    expect("aad", aad.hex(), v["aad"])
    expect("plaintext", pt.hex(), v["plaintext"])
    expect("flags", pt[0], e["flags"])
    value = b64encode(hdr + nonce + seal_raw(code, key, nonce, aad, pt))
    expect("value", value, v["value"])
    expect("ttl", e["expires_at"] - e["issued_at"], v["ttl"])
    if v["idle_timeout"] is not None: expect("idle_timeout", e["idle_deadline"] - now, v["idle_timeout"])
    expect("key_text", v["key_text"], f"ss1:{v['algorithm']}:{v['key_id']}:{b64encode(key)}")

    # (2) Lay out the chunks (section 7 Max-Age, section 11 names and prefix).
    max_age = min(e["expires_at"] - now, MAX_AGE_CAP)
    expect("max_age", max_age, v["max_age"])
    attrs = v["set_cookie_attributes"]
    got_n, caps = layout(len(value), name, max_age, attrs, max_cookie, max_chunks, v["header_budget"])
    expect("chunk count", got_n, n)
    expect("chunk capacities", caps, v["chunk_capacities"])
    want = [(c["name"], c["value"], c["set_cookie"]) for c in v["chunks"]]
    got, rest = [], value
    for k, cap in enumerate(caps or []):
        part, rest = rest[:cap], rest[cap:]
        val = (f"{n}." if k == 0 else "") + part
        got.append((f"{name}.{k}", val, f"{name}.{k}={val}; Max-Age={max_age}{attrs}"))
    expect("chunk count laid out", len(got), len(want))
    for k, (g, w) in enumerate(zip(got, want)):
        for what, a, b in zip(("name", "value", "Set-Cookie line"), g, w):
            expect(f"chunk {k} {what}", a, b)
    expect("value left over", rest, "")
    for _, _, line in want:
        if len(line) > max_cookie: errors.append(f"line of {len(line)} bytes over {max_cookie}")
    budget_used = sum(len(f"{nm}={val}") for nm, val, _ in want) + 2 * (n - 1)
    if budget_used > v["header_budget"]: errors.append(f"cookies take {budget_used} header bytes")

    # (3) Open the chunks as a request carries them: every field comes back.
    keyring = {v["key_id"]: (code, key)}
    jar = {nm: val for nm, val, _ in want}
    def opens(what, jar, max_chunks=max_chunks):
        try:
            expect(what, open_chunks(jar, keyring, name, purpose, now, max_chunks, max_cookie),
                   dict(e, payload=v["payload"]))
        except Reject as r:
            errors.append(f"{what}: rejected: {r}")
    opens("opened", jar)
    opens("stale chunk at index n ignored", dict(jar, **{f"{name}.{n}": "AAAA"}))
    step = -(-len(value) // n)  # the same value split elsewhere: split points are free
    opens("re-split", {f"{name}.{k}": (f"{n}." if k == 0 else "") + value[k * step:(k + 1) * step]
                       for k in range(n)})

    # (4) Negative: each must be rejected.
    def must_reject(what, jar, nm=name, pp=purpose, limit=max_cookie, mc=max_chunks):
        try:
            open_chunks(jar, keyring, nm, pp, now, mc, limit)
            errors.append(f"{what}: accepted")
        except Reject:
            pass
    def chunks_of(parts, count):
        return {f"{name}.{k}": (f"{count}." if k == 0 else "") + p for k, p in enumerate(parts)}
    parts = [val for _, val, _ in want]
    parts[0] = parts[0][len(f"{n}."):]
    must_reject("last chunk dropped", chunks_of(parts[:-1], n))
    for k in range(n):
        must_reject(f"chunk {k} dropped, count lowered", chunks_of(parts[:k] + parts[k + 1:], n - 1))
    for k in range(n - 1):
        swapped = list(parts); swapped[k], swapped[k + 1] = swapped[k + 1], swapped[k]
        must_reject(f"chunks {k} and {k + 1} swapped", chunks_of(swapped, n))
    must_reject("count raised", chunks_of(parts, n + 1))
    must_reject("count raised, chunk added", chunks_of(parts + ["AAAA"], n + 1))
    must_reject("count above the reader's maximum", jar, mc=n - 1)
    for bad in ("1", "0", "0" + str(n), "+" + str(n), "", str(n) + " "):
        must_reject(f"count {bad!r}", dict(jar, **{f"{name}.0": f"{bad}.{parts[0]}"}))
    must_reject("empty chunk", dict(jar, **{f"{name}.{n - 1}": ""}))
    must_reject("other cookie name", {f"{name}x.{k}": val for k, (_, val, _) in enumerate(want)}, nm=name + "x")
    must_reject("other purpose", jar, pp=purpose + "x")
    # The same joined value under any other count, or none, fails authentication
    # (a roomy limit, so that only the associated data differs).
    for other in [None] + [m for m in range(256) if m != n]:
        try:
            open_cookie(value, keyring, name, purpose, now, count=other, limit=1 << 20)
            errors.append(f"opened with count {other}")
        except Reject as r:
            if str(r) != "unauthenticated": errors.append(f"count {other}: {r}")
    for m in (n - 1, n + 1):
        if m >= 2:
            step = -(-len(value) // m)
            must_reject(f"re-split into {m}", chunks_of([value[i:i + step] for i in range(0, len(value), step)], m),
                        limit=1 << 20, mc=255)
    sealed = bytearray(base64.urlsafe_b64decode(value + "=" * (-len(value) % 4)))
    for bit in range(len(sealed) * 8):
        sealed[bit // 8] ^= 1 << bit % 8
        flipped = b64encode(bytes(sealed))
        sealed[bit // 8] ^= 1 << bit % 8
        try:
            open_cookie(flipped, keyring, name, purpose, now, count=n, limit=1 << 20)
            errors.append(f"bit flip {bit}: accepted")
        except Reject:
            pass
    return errors


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    vectors = os.path.join(here, "..", "tests", "vectors")
    paths = sys.argv[1:] or [os.path.join(vectors, f) for f in ("v1.json", "v1-chunked.json")]
    xaes_selftest()
    print("ok   XAES-256-GCM C2SP self-test")
    key_text_selftest()
    print("ok   key text grammar self-test (section 12)")
    schema_selftest()
    print("ok   schema shape grammar and traced id self-test (section 13)")
    passed = failed = 0
    for path in paths:
        with open(path) as fh:
            doc = json.load(fh)
        assert doc["format_version"] == 1
        print(f"---- {os.path.basename(path)}")
        for i, v in enumerate(doc["vectors"]):
            try:
                errors = (check_chunked_vector if "chunks" in v else check_vector)(v, doc)
            except Exception as x:  # a malformed vector counts as a failure, not a crash
                errors = [f"exception: {x!r}"]
            print(f"{'ok  ' if not errors else 'FAIL'} #{i} {v.get('description', '')}")
            for err in errors:
                print(f"       {err}")
            passed, failed = passed + (not errors), failed + bool(errors)
    print(f"{passed} passed, {failed} failed")
    return 0 if failed == 0 and passed > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
