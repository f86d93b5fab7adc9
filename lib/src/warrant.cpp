#include <tenuo/warrant.hpp>

#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>

#include "detail/cbor_cursor.hpp"
#include "detail/constraint_cbor.hpp"
#include "detail/crypto.hpp"
#include "detail/warrant_factory.hpp"
#include "detail/warrant_peek.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <functional>
#include <limits>

namespace tenuo {
namespace {

constexpr std::string_view kWarrantDomain = "tenuo-warrant-v1";
constexpr std::uint8_t kEnvelopeVersionByte[] = {0x01};

Unexpected malformed(std::string msg) {
  return fail(ErrorCode::MalformedCbor, std::move(msg));
}

cbor::Value key_to_cbor(const PublicKey& k) {
  return cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(k.bytes()))});
}

// ------------------------------------------------------------------ reading
// Everything below reads bytes that cbor::validate() has already accepted (detail::CborCursor),
// so heads are read without re-checking them. The rules, messages and their order are those of
// the tree-based reading they replace (tests/unit/test_warrant_decode.cpp keeps such a model).

using Cursor = detail::CborCursor;
constexpr std::uint8_t kUint = detail::kCborUint, kBstr = detail::kCborBytes, kTstr = detail::kCborText,
                       kArray = detail::kCborArray, kMap = detail::kCborMap;

// A key, [1, bytes(32)].
Result<PublicKey> read_key(ByteView v, std::string_view what) {
  Cursor c(v);
  const auto h = c.head();
  if (h.major != kArray || h.arg != 2)
    return malformed(fmt::format("{}: a public key is [1, bytes(32)]", what));
  const auto alg = c.head();
  if (alg.major != kUint || alg.arg != 1) return malformed(fmt::format("{}: unsupported key algorithm", what));
  const auto b = c.head();
  if (b.major != kBstr || b.arg != 32) return malformed(fmt::format("{}: a public key has 32 bytes", what));
  auto k = PublicKey::from_bytes(c.body(32));
  if (!k) return malformed(fmt::format("{}: {}", what, k.error().message));
  return k;
}

template <class T>
Result<T> read_uint(ByteView v, std::string_view what) {
  Cursor c(v);
  const auto h = c.head();
  if (h.major != kUint) return malformed(fmt::format("payload field {} must be an unsigned integer", what));
  if (h.arg > std::numeric_limits<T>::max())
    return malformed(fmt::format("payload field {} is out of range ({})", what, h.arg));
  return static_cast<T>(h.arg);
}

// The reference encodes these as arrays of small integers; a byte string is refused (stricter
// than the reference decoder, so that re-encoding is always identical).
Result<Bytes> read_uint_array(ByteView v, std::string_view what, std::size_t max_len) {
  Cursor c(v);
  const auto h = c.head();
  if (h.major != kArray) return malformed(fmt::format("{} must be an array of bytes", what));
  if (h.arg > max_len)
    return fail(ErrorCode::InvalidPayloadStructure,
                fmt::format("{} has {} bytes (limit {})", what, h.arg, max_len));
  Bytes out;
  out.reserve(static_cast<std::size_t>(h.arg));
  for (std::uint64_t k = 0; k < h.arg; ++k) {
    const auto x = c.head();
    if (x.major != kUint || x.arg > 255) return malformed(fmt::format("{} must hold integers 0..255", what));
    out.push_back(static_cast<std::uint8_t>(x.arg));
  }
  return out;
}

Result<std::vector<std::string>> read_text_array(ByteView v, std::string_view what) {
  Cursor c(v);
  const auto h = c.head();
  if (h.major != kArray) return malformed(fmt::format("{} must be an array", what));
  std::vector<std::string> out;
  out.reserve(static_cast<std::size_t>(h.arg));
  for (std::uint64_t k = 0; k < h.arg; ++k) {
    if (c.peek_major() != kTstr) return malformed(fmt::format("{} must hold text", what));
    const auto x = c.head();
    out.emplace_back(as_chars(c.body(x.arg)));
  }
  return out;
}

Result<ConstraintSet> read_constraint_set(ByteView v) { return detail::constraint_set_from_validated(v); }

bool valid_utf8(std::string_view s) {
  // Round-trip through the CBOR text decoder's validation.
  Bytes enc;
  cbor::write_text(enc, s);
  return cbor::decode(enc).has_value();
}

// The strict CBOR check of a payload, before anything in it is read.
Result<void> validate_payload_cbor(ByteView payload) {
  return cbor::validate(payload, {.max_depth = kMaxPayloadCborDepth, .max_bytes = kMaxWarrantBytes});
}

// The issuer key of a validated payload, as read before its signature is checked.
Result<PublicKey> payload_issuer(ByteView payload) {
  Cursor c(payload);
  const auto h = c.head();
  if (h.major == kMap) {
    for (std::uint64_t k = 0; k < h.arg; ++k) {
      const auto key = c.head();
      if (key.major == kTstr) c.body(key.arg);
      const ByteView value = c.item();
      if (key.major == kUint && key.arg == 5) return read_key(value, "issuer");
    }
  }
  return malformed("payload field 5 (issuer) is missing");
}

// A validated payload read into a Payload. Every key is checked before any value; then the
// version, the required fields, and each field in a fixed order.
Result<Payload> read_payload(ByteView payload) {
  Cursor c(payload);
  const auto root = c.head();
  if (root.major != kMap) return malformed("the payload must be a map");
  std::int64_t prev = -1;
  ByteView f[19] = {};
  bool has[19] = {};
  for (std::uint64_t i = 0; i < root.arg; ++i) {
    const auto key = c.head();
    if (key.major != kUint) return malformed("payload keys must be unsigned integers");
    const auto k = static_cast<std::int64_t>(key.arg);
    if (k == 12 || k > 18) return malformed(fmt::format("unknown payload field {}", k));
    if (k <= prev) return malformed("payload keys must be in ascending order");
    prev = k;
    f[k] = c.item();
    has[k] = true;
  }
  // Version first: a payload of another version is 1201, whatever else it holds.
  if (!has[0]) return malformed("payload field 0 (version) is missing");
  TENUO_TRY_ASSIGN(auto version, read_uint<std::uint64_t>(f[0], "0 (version)"));
  if (version != 1)
    return fail(ErrorCode::InvalidPayloadStructure, fmt::format("unsupported payload version {}", version));
  for (int k = 1; k <= 8; ++k)
    if (!has[k]) return malformed(fmt::format("required payload field {} is missing", k));
  // Key 18 (depth) is always emitted by the reference encoder; its absence is refused.
  if (!has[18]) return malformed("payload field 18 (depth) is missing");

  TENUO_TRY_ASSIGN(PublicKey holder, read_key(f[4], "holder"));
  TENUO_TRY_ASSIGN(PublicKey issuer, read_key(f[5], "issuer"));
  Payload p(holder, issuer);
  p.version = 1;
  {
    Cursor id(f[1]);
    const auto h = id.head();
    if (h.major != kBstr || h.arg != 16) return malformed("payload field 1 (id) must be 16 bytes");
    const ByteView b = id.body(16);
    std::copy(b.begin(), b.end(), p.id.begin());
  }
  TENUO_TRY_ASSIGN(auto type, read_uint<std::uint8_t>(f[2], "2 (warrant_type)"));
  if (type > 1) return malformed(fmt::format("unknown warrant type {}", type));
  p.type = static_cast<WarrantType>(type);

  {
    Cursor t(f[3]);
    const auto h = t.head();
    if (h.major != kMap) return malformed("payload field 3 (tools) must be a map");
    if (h.arg > kMaxToolsPerWarrant)
      return fail(ErrorCode::InvalidPayloadStructure,
                  fmt::format("{} tools (limit {})", h.arg, kMaxToolsPerWarrant));
    p.tools.reserve(static_cast<std::size_t>(h.arg));
    std::string_view prev_tool;
    for (std::uint64_t i = 0; i < h.arg; ++i) {
      if (t.peek_major() != kTstr) return malformed("tool names must be text");
      const auto name_head = t.head();
      const std::string_view name = as_chars(t.body(name_head.arg));
      if (i > 0 && !(prev_tool < name)) return malformed("tool names must be in byte-wise order");
      prev_tool = name;
      TENUO_TRY_ASSIGN(ConstraintSet cs, read_constraint_set(t.item()));
      p.tools.emplace_back(std::string(name), std::move(cs));
    }
  }
  TENUO_TRY_ASSIGN(p.issued_at, read_uint<std::uint64_t>(f[6], "6 (issued_at)"));
  TENUO_TRY_ASSIGN(p.expires_at, read_uint<std::uint64_t>(f[7], "7 (expires_at)"));
  TENUO_TRY_ASSIGN(p.max_depth, read_uint<std::uint8_t>(f[8], "8 (max_depth)"));
  if (has[9]) {
    // A fixed [u8; 32] in the reference: any other length is a decode error (1202), not 1201.
    Cursor ph(f[9]);
    const auto h = ph.head();
    if (h.major != kArray || h.arg != 32) return malformed("parent_hash must be an array of 32 bytes");
    TENUO_TRY_ASSIGN(Bytes hash, read_uint_array(f[9], "parent_hash", 32));
    Sha256Digest d{};
    std::copy(hash.begin(), hash.end(), d.begin());
    p.parent_hash = d;
  }
  if (has[10]) {
    Cursor e(f[10]);
    const auto h = e.head();
    if (h.major != kMap || h.arg == 0)
      return malformed("payload field 10 (extensions) must be a non-empty map");
    if (h.arg > kMaxExtensionKeys)
      return fail(ErrorCode::InvalidPayloadStructure,
                  fmt::format("{} extensions (limit {})", h.arg, kMaxExtensionKeys));
    std::string_view prev_key;
    for (std::uint64_t i = 0; i < h.arg; ++i) {
      if (e.peek_major() != kTstr) return malformed("extension keys must be text");
      const auto key_head = e.head();
      const std::string_view k = as_chars(e.body(key_head.arg));
      if (i > 0 && !(prev_key < k)) return malformed("extension keys must be in byte-wise order");
      prev_key = k;
      TENUO_TRY_ASSIGN(Bytes val, read_uint_array(e.item(), "extension value", kMaxExtensionValueBytes));
      if (k == kSessionIdExtension || k == kAgentIdExtension) {
        std::string s(as_chars(val));
        if (!valid_utf8(s)) return malformed(fmt::format("{} is not valid UTF-8", k));
        (k == kSessionIdExtension ? p.session_id : p.agent_id) = std::move(s);
      } else {
        p.extensions.emplace_back(std::string(k), std::move(val));
      }
    }
  }
  if (has[11]) {
    TENUO_TRY_ASSIGN(auto tools, read_text_array(f[11], "issuable_tools"));
    p.issuable_tools = std::move(tools);
  }
  if (has[13]) {
    TENUO_TRY_ASSIGN(auto v, read_uint<std::uint32_t>(f[13], "13 (max_issue_depth)"));
    p.max_issue_depth = v;
  }
  if (has[14]) {
    TENUO_TRY_ASSIGN(ConstraintSet cs, read_constraint_set(f[14]));
    if (cs.empty()) return malformed("constraint_bounds is present but empty");
    p.constraint_bounds = std::move(cs);
  }
  if (has[15]) {
    Cursor a(f[15]);
    const auto h = a.head();
    if (h.major != kArray) return malformed("required_approvers must be an array");
    std::vector<PublicKey> keys;
    for (std::uint64_t i = 0; i < h.arg; ++i) {
      TENUO_TRY_ASSIGN(PublicKey k, read_key(a.item(), "required_approvers"));
      keys.push_back(k);
    }
    p.required_approvers = std::move(keys);
  }
  if (has[16]) {
    TENUO_TRY_ASSIGN(auto v, read_uint<std::uint32_t>(f[16], "16 (min_approvals)"));
    p.min_approvals = v;
  }
  if (has[17]) {
    TENUO_TRY_ASSIGN(auto v, read_uint<std::uint8_t>(f[17], "17 (clearance)"));
    p.clearance = v;
  }
  TENUO_TRY_ASSIGN(p.depth, read_uint<std::uint32_t>(f[18], "18 (depth)"));
  return p;
}

// Envelope pieces, read before anything in the payload is interpreted.
struct Envelope {
  ByteView payload;
  Signature sig{};
};

// The shape of an envelope whose bytes are already strictly validated (a stack's element, or
// read_envelope's input after its check): [1, bstr payload, [1, bstr(64)]].
Result<Envelope> envelope_shape(ByteView validated) {
  Cursor c(validated);
  const auto top = c.head();
  if (top.major != kArray || top.arg != 3)
    return malformed("a signed warrant is a 3-element array [version, payload, signature]");
  const auto v = c.head();
  if (v.major != kUint || v.arg != 1) return malformed("unsupported envelope version (expected 1)");
  if (c.peek_major() != kBstr) return malformed("the envelope payload must be a byte string");
  const auto ph = c.head();
  Envelope e;
  e.payload = c.body(ph.arg);
  const auto sh = c.head();
  if (sh.major != kArray || sh.arg != 2) return malformed("a signature is [1, bytes(64)]");
  const auto alg = c.head();
  if (alg.major != kUint || alg.arg != 1) return malformed("unsupported signature algorithm");
  const auto sb = c.head();
  if (sb.major != kBstr || sb.arg != 64) return malformed("a signature has 64 bytes");
  const ByteView s = c.body(64);
  std::copy(s.begin(), s.end(), e.sig.begin());
  return e;
}

// A signed warrant's envelope, checked as strictly as a full CBOR decode (same errors and
// offsets) and then by shape.
Result<Envelope> read_envelope(ByteView bytes) {
  TENUO_TRY(cbor::validate(bytes, {.max_depth = 4, .max_bytes = kMaxWarrantBytes}));
  return envelope_shape(bytes);
}

cbor::Value envelope_to_cbor(ByteView payload, const Signature& sig) {
  return cbor::Value::array(
      {cbor::Value::integer(1), cbor::Value::bytes(payload),
       cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(sig))})});
}

}  // namespace

// ------------------------------------------------------------------ ids

std::string id_hex(const WarrantId& id) { return hex_encode(ByteView(id)); }
std::string id_text(const WarrantId& id) { return std::string(kWarrantIdPrefix) + id_hex(id); }

Result<WarrantId> parse_warrant_id(std::string_view text) {
  std::string hex;
  if (text.starts_with(kWarrantIdPrefix)) {
    hex = std::string(text.substr(kWarrantIdPrefix.size()));
  } else if (text.find('-') != std::string_view::npos) {
    // Dashed UUID: 8-4-4-4-12.
    if (text.size() != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' || text[23] != '-')
      return fail(ErrorCode::InvalidInput,
                  fmt::format("'{}' is not a warrant id (expected a dashed UUID)", text));
    for (char c : text)
      if (c != '-') hex += c;
  } else {
    hex = std::string(text);
  }
  if (hex.size() != 32)
    return fail(ErrorCode::InvalidInput,
                fmt::format("'{}' is not a warrant id: use tnu_wrt_ + 32 hex, 32 hex or a UUID", text));
  auto b = hex_decode(hex);
  if (!b)
    return fail(ErrorCode::InvalidInput, fmt::format("'{}' is not a warrant id: bad hex", text));
  WarrantId id{};
  std::copy(b->begin(), b->end(), id.begin());
  return id;
}

WarrantId new_warrant_id(std::int64_t unix_ms) {
  WarrantId id{};
  detail::random_bytes(id);
  const auto ms = static_cast<std::uint64_t>(unix_ms);
  for (int i = 0; i < 6; ++i) id[static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(ms >> (40 - 8 * i));
  id[6] = static_cast<std::uint8_t>(0x70 | (id[6] & 0x0f));  // version 7
  id[8] = static_cast<std::uint8_t>(0x80 | (id[8] & 0x3f));  // RFC 4122 variant
  return id;
}

// ------------------------------------------------------------------ payload

const ConstraintSet* Payload::tool(std::string_view name) const noexcept {
  for (const auto& [n, cs] : tools)
    if (n == name) return &cs;
  return nullptr;
}

std::optional<Bytes> Payload::extension(std::string_view key) const {
  if (key == kSessionIdExtension && session_id) return Bytes(session_id->begin(), session_id->end());
  if (key == kAgentIdExtension && agent_id) return Bytes(agent_id->begin(), agent_id->end());
  for (const auto& [k, v] : extensions)
    if (k == key) return v;
  return std::nullopt;
}

Bytes encode_payload(const Payload& p) {
  cbor::Map m;
  auto put = [&m](std::int64_t k, cbor::Value v) {
    m.push_back(cbor::Entry{cbor::Value::integer(k), std::move(v)});
  };
  auto u = [](std::uint64_t v) { return cbor::Value::integer(static_cast<std::int64_t>(v)); };
  put(0, u(p.version));
  put(1, cbor::Value::bytes(ByteView(p.id)));
  put(2, u(static_cast<std::uint8_t>(p.type)));
  cbor::Map tools;
  for (const auto& [name, cs] : p.tools) tools.push_back({cbor::Value::text(name), to_cbor(cs)});
  put(3, cbor::Value::map(std::move(tools)));
  put(4, key_to_cbor(p.holder));
  put(5, key_to_cbor(p.issuer));
  put(6, u(p.issued_at));
  put(7, u(p.expires_at));
  put(8, u(p.max_depth));
  if (p.parent_hash) put(9, cbor::Value::uint_array(ByteView(*p.parent_hash)));
  ExtensionMap ext = p.extensions;
  if (p.session_id)
    ext.emplace_back(std::string(kSessionIdExtension), Bytes(p.session_id->begin(), p.session_id->end()));
  if (p.agent_id)
    ext.emplace_back(std::string(kAgentIdExtension), Bytes(p.agent_id->begin(), p.agent_id->end()));
  if (!ext.empty()) {
    std::sort(ext.begin(), ext.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    cbor::Map em;
    for (const auto& [k, v] : ext) em.push_back({cbor::Value::text(k), cbor::Value::uint_array(v)});
    put(10, cbor::Value::map(std::move(em)));
  }
  if (p.issuable_tools) {
    cbor::Array a;
    for (const auto& t : *p.issuable_tools) a.push_back(cbor::Value::text(t));
    put(11, cbor::Value::array(std::move(a)));
  }
  if (p.max_issue_depth) put(13, u(*p.max_issue_depth));
  if (p.constraint_bounds && !p.constraint_bounds->empty()) put(14, to_cbor(*p.constraint_bounds));
  if (p.required_approvers) {
    cbor::Array a;
    for (const auto& k : *p.required_approvers) a.push_back(key_to_cbor(k));
    put(15, cbor::Value::array(std::move(a)));
  }
  if (p.min_approvals) put(16, u(*p.min_approvals));
  if (p.clearance) put(17, u(*p.clearance));
  put(18, u(p.depth));
  return cbor::encode(cbor::Value::map(std::move(m)));
}

Result<void> validate_payload(const Payload& p) {
  auto structure = [](std::string msg) { return fail(ErrorCode::InvalidPayloadStructure, std::move(msg)); };
  if (p.version != 1) return structure(fmt::format("unsupported payload version {}", p.version));
  if (p.tools.size() > kMaxToolsPerWarrant)
    return structure(fmt::format("{} tools (limit {})", p.tools.size(), kMaxToolsPerWarrant));
  auto check_set = [&](const ConstraintSet& cs, std::string_view where) -> Result<void> {
    if (cs.constraints.size() > kMaxConstraintsPerTool)
      return structure(fmt::format("{}: {} constraints (limit {})", where, cs.constraints.size(),
                                   kMaxConstraintsPerTool));
    for (const auto& [arg, c] : cs.constraints)
      if (c.depth() > kMaxConstraintDepth)
        return fail(ErrorCode::TooManyConstraints,
                    fmt::format("{}.{}: constraint nesting {} exceeds {}", where, arg, c.depth(),
                                kMaxConstraintDepth));
    return {};
  };
  for (const auto& [name, cs] : p.tools) TENUO_TRY(check_set(cs, name));
  if (p.constraint_bounds) TENUO_TRY(check_set(*p.constraint_bounds, "constraint_bounds"));
  const std::size_t n_ext = p.extensions.size() + (p.session_id ? 1 : 0) + (p.agent_id ? 1 : 0);
  if (n_ext > kMaxExtensionKeys)
    return structure(fmt::format("{} extensions (limit {})", n_ext, kMaxExtensionKeys));
  for (const auto& [k, v] : p.extensions)
    if (v.size() > kMaxExtensionValueBytes)
      return structure(fmt::format("extension {} has {} bytes (limit {})", k, v.size(),
                                   kMaxExtensionValueBytes));
  for (const auto* s : {&p.session_id, &p.agent_id})
    if (*s && (*s)->size() > kMaxExtensionValueBytes)
      return structure("session/agent id exceeds the extension size limit");
  if (p.type == WarrantType::Execution) {
    if (p.issuable_tools || p.max_issue_depth)
      return structure("an execution warrant may not carry issuable_tools or max_issue_depth");
  } else {
    if (!p.tools.empty()) return structure("an issuer warrant may not grant tools directly");
    if (!p.issuable_tools || p.issuable_tools->empty())
      return structure("an issuer warrant needs a non-empty issuable_tools list");
  }
  if (p.max_issue_depth && *p.max_issue_depth > p.max_depth)
    return fail(ErrorCode::DepthExceeded,
                fmt::format("max_issue_depth {} exceeds max_depth {}", *p.max_issue_depth, p.max_depth));
  if (p.expires_at <= p.issued_at)
    return structure(fmt::format("expires_at {} is not after issued_at {}", p.expires_at, p.issued_at));
  if (p.required_approvers && p.min_approvals &&
      (*p.min_approvals < 1 || *p.min_approvals > p.required_approvers->size()))
    return structure(fmt::format("min_approvals {} is outside 1..{}", *p.min_approvals,
                                 p.required_approvers->size()));
  return {};
}

// ------------------------------------------------------------------ warrant

Warrant::Warrant(Payload p, Bytes payload_bytes, Signature sig, Bytes envelope)
    : m_payload(std::move(p)),
      m_payload_bytes(std::move(payload_bytes)),
      m_signature(sig),
      m_envelope(std::move(envelope)),
      m_payload_hash(detail::sha256(m_payload_bytes)) {}

Warrant WarrantFactory::from_verified(Payload p, Bytes payload_bytes, Signature sig, Bytes envelope) {
  return Warrant(std::move(p), std::move(payload_bytes), sig, std::move(envelope));
}

Bytes warrant_signing_message(ByteView payload_bytes) {
  Bytes msg(kWarrantDomain.begin(), kWarrantDomain.end());
  msg.push_back(0x01);
  msg.insert(msg.end(), payload_bytes.begin(), payload_bytes.end());
  return msg;
}

Result<Warrant> WarrantFactory::sign(Payload p, const SigningKey& key) {
  if (key.public_key() != p.issuer)
    return fail(ErrorCode::InvalidIssuer, "the signing key is not the payload's issuer");
  TENUO_TRY(validate_payload(p));
  Bytes payload_bytes = encode_payload(p);
  if (payload_bytes.size() > kMaxWarrantBytes)
    return fail(ErrorCode::WarrantTooLarge,
                fmt::format("the payload would be {} bytes (limit {})", payload_bytes.size(),
                            kMaxWarrantBytes));
  const Signature sig = key.sign(warrant_signing_message(payload_bytes));
  Bytes envelope = cbor::encode(envelope_to_cbor(payload_bytes, sig));
  if (envelope.size() > kMaxWarrantBytes)
    return fail(ErrorCode::WarrantTooLarge,
                fmt::format("the warrant would be {} bytes (limit {})", envelope.size(), kMaxWarrantBytes));
  return Warrant(std::move(p), std::move(payload_bytes), sig, std::move(envelope));
}

Result<Warrant> decode_warrant(ByteView bytes, std::optional<std::int64_t> now) {
  if (bytes.size() > kMaxWarrantBytes)
    return fail(ErrorCode::WarrantTooLarge,
                fmt::format("warrant of {} bytes exceeds the limit of {}", bytes.size(), kMaxWarrantBytes));
  TENUO_TRY_ASSIGN(Envelope env, read_envelope(bytes));
  // Structural CBOR check only; nothing is interpreted until the signature verifies.
  TENUO_TRY(validate_payload_cbor(env.payload));
  TENUO_TRY_ASSIGN(PublicKey issuer_key, payload_issuer(env.payload));
  const ByteView parts[] = {as_bytes(kWarrantDomain), ByteView(kEnvelopeVersionByte), env.payload};
  if (!detail::ed25519_verify_parts(issuer_key.bytes(), parts, env.sig))
    return fail(ErrorCode::SignatureInvalid,
                fmt::format("the warrant signature does not verify with its issuer key {}",
                            issuer_key.fingerprint()));
  TENUO_TRY_ASSIGN(Payload p, read_payload(env.payload));
  TENUO_TRY(validate_payload(p));
  if (now && p.issued_at > static_cast<std::uint64_t>(std::max<std::int64_t>(*now, 0)) +
                               kClockToleranceSeconds)
    return fail(ErrorCode::IssuedInFuture,
                fmt::format("warrant {} is issued at {}, more than {} s after now ({})", id_text(p.id),
                            p.issued_at, kClockToleranceSeconds, *now));
  return WarrantFactory::from_verified(std::move(p), Bytes(env.payload.begin(), env.payload.end()), env.sig,
                                       Bytes(bytes.begin(), bytes.end()));
}

Result<std::vector<Warrant>> decode_warrants(ByteView bytes, std::optional<std::int64_t> now) {
  if (bytes.empty()) return malformed("empty warrant input");
  if (bytes.size() > kMaxStackBytes)
    return fail(ErrorCode::WarrantTooLarge,
                fmt::format("input of {} bytes exceeds the limit of {}", bytes.size(), kMaxStackBytes));
  // A SignedWarrant is [uint, ...]; a WarrantStack is [[...], ...]. Peek at element 0.
  const std::uint8_t head = bytes[0];
  if (head < 0x80 || head > 0x9b) return malformed("a warrant or warrant stack is a CBOR array");
  // An empty array can only be an empty stack: a chain error (WIRE.md §10.2 step 1), not 1202.
  if (head == 0x80 && bytes.size() == 1) return fail(ErrorCode::ChainBroken, "the warrant stack is empty");
  std::size_t off = 1;
  if ((head & 0x1f) >= 24) off += std::size_t{1} << ((head & 0x1f) - 24);
  if (off >= bytes.size()) return malformed("truncated warrant input");
  const std::uint8_t first = bytes[off];
  if (first < 0x80 || first > 0x9b) return detail::decode_links({{bytes}, false}, now);
  // Stack: checked as strictly as a full decode, and split into the elements' exact byte
  // ranges without building or interpreting anything yet.
  TENUO_TRY_ASSIGN(auto items, cbor::validate_and_split(bytes, {.max_depth = 4, .max_bytes = kMaxStackBytes}));
  if (items.empty()) return fail(ErrorCode::ChainBroken, "the warrant stack is empty");
  if (items.size() > kMaxChainLength)
    return fail(ErrorCode::ChainTooLong,
                fmt::format("the chain has {} warrants (limit {})", items.size(), kMaxChainLength));
  return detail::decode_links({std::move(items), true}, now);
}

Bytes encode_stack(std::span<const Warrant> chain) {
  Bytes out;
  cbor::write_head(out, 4, chain.size());
  for (const auto& w : chain) out.insert(out.end(), w.envelope_bytes().begin(), w.envelope_bytes().end());
  return out;
}

std::string to_text(std::span<const Warrant> chain, TextFormat format) {
  const bool single = chain.size() == 1;
  const Bytes bytes = single ? Bytes(chain[0].envelope_bytes().begin(), chain[0].envelope_bytes().end())
                             : encode_stack(chain);
  std::string b64 = base64_encode(bytes, Base64Alphabet::UrlSafe, Padding::No);
  if (format == TextFormat::Base64) return b64;
  return pem_armor(single ? "TENUO WARRANT" : "TENUO WARRANT CHAIN", b64);
}

Result<std::vector<Warrant>> read_warrants(ByteView input, std::optional<std::int64_t> now) {
  TENUO_TRY_ASSIGN(Bytes cbor_bytes, warrant_cbor_from_any(input));
  return decode_warrants(cbor_bytes, now);
}

}  // namespace tenuo

namespace tenuo::detail {

namespace {

// The payload of one link, CBOR-checked, as decode_warrant reads it before the signature. The
// link's own bytes were validated by split_links, so only the envelope's shape is read.
std::optional<ByteView> checked_payload(ByteView link) {
  auto env = envelope_shape(link);
  if (!env || !validate_payload_cbor(env->payload)) return std::nullopt;
  return env->payload;
}

}  // namespace

std::optional<Links> split_links(ByteView bytes) {
  if (bytes.empty() || bytes.size() > kMaxStackBytes) return std::nullopt;
  auto items = cbor::validate_and_split(bytes, {.max_depth = 4, .max_bytes = kMaxStackBytes});
  if (!items || items->empty()) return std::nullopt;
  // A SignedWarrant starts with its version integer; a WarrantStack with an array.
  const std::uint8_t first = (*items)[0][0];
  if (first < 0x80 || first > 0x9b) return Links{{bytes}, false};
  if (items->size() > kMaxChainLength) return std::nullopt;
  return Links{std::move(*items), true};
}

Result<std::vector<Warrant>> decode_links(const Links& links, std::optional<std::int64_t> now) {
  std::vector<Warrant> out;
  out.reserve(links.items.size());
  for (std::size_t i = 0; i < links.items.size(); ++i) {
    auto w = decode_warrant(links.items[i], now);
    if (!w) {
      Error e = std::move(w).error();
      e.chain_index = i;  // a lone warrant is link 0, as in a stack
      if (links.stack) e.message = fmt::format("warrant {} of the chain: {}", i, e.message);
      return Unexpected{std::move(e)};
    }
    out.push_back(std::move(*w));
  }
  return out;
}

Result<std::vector<UnverifiedLink>> decode_unverified_for_diagnosis(ByteView cbor) {
  const auto links = split_links(cbor);
  if (!links) {
    // Not even a well-formed warrant or stack: decode_warrants says why.
    auto r = decode_warrants(cbor);
    if (!r) return Unexpected{std::move(r).error()};
    return fail(ErrorCode::Internal, "split_links refused input that decode_warrants accepts");
  }
  std::vector<UnverifiedLink> out;
  out.reserve(links->items.size());
  for (std::size_t i = 0; i < links->items.size(); ++i) {
    const ByteView link = links->items[i];
    // The authorizing decoder first: a link it accepts is reported exactly as it reads it.
    auto w = decode_warrant(link);
    if (w) {
      out.push_back(UnverifiedLink{w->payload(), w->payload_hash(), Bytes(link.begin(), link.end()), true});
      continue;
    }
    Error e = std::move(w).error();
    if (e.code == ErrorCode::SignatureInvalid) {
      // Only the signature failed: the same envelope and payload reads as decode_warrant's,
      // without the signature check, so the diagnosis can report everything else.
      auto read = [&]() -> std::optional<UnverifiedLink> {
        auto payload = checked_payload(link);
        if (!payload) return std::nullopt;
        auto p = read_payload(*payload);
        if (!p || !validate_payload(*p)) return std::nullopt;
        return UnverifiedLink{std::move(*p), sha256(*payload), Bytes(link.begin(), link.end()), false};
      };
      if (auto u = read()) {
        out.push_back(std::move(*u));
        continue;
      }
    }
    // As decode_links reports it.
    e.chain_index = i;
    if (links->stack) e.message = fmt::format("warrant {} of the chain: {}", i, e.message);
    return Unexpected{std::move(e)};
  }
  return out;
}

std::optional<PublicKey> untrusted_root_claim(std::span<const ByteView> links, std::int64_t now,
                                              const std::function<bool(const PublicKey&)>& is_trusted) {
  if (links.empty()) return std::nullopt;
  const auto root_payload = checked_payload(links[0]);
  if (!root_payload) return std::nullopt;
  auto issuer = payload_issuer(*root_payload);
  if (!issuer || is_trusted(*issuer)) return std::nullopt;
  // Untrusted: the denial stands only if nothing §10.2 ranks before trust is wrong.
  const auto unow = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));
  std::vector<WarrantId> ids;
  ids.reserve(links.size());
  for (std::size_t i = 0; i < links.size(); ++i) {
    const auto payload = i == 0 ? root_payload : checked_payload(links[i]);
    if (!payload) return std::nullopt;
    auto p = read_payload(*payload);
    if (!p || !validate_payload(*p)) return std::nullopt;
    if (p->issued_at > unow + kClockToleranceSeconds) return std::nullopt;
    if (std::find(ids.begin(), ids.end(), p->id) != ids.end()) return std::nullopt;
    ids.push_back(p->id);
  }
  return *issuer;
}

}  // namespace tenuo::detail
