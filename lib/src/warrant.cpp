#include <tenuo/warrant.hpp>

#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>

#include "detail/crypto.hpp"
#include "detail/warrant_factory.hpp"
#include "detail/warrant_peek.hpp"

#include <fmt/format.h>

#include <algorithm>
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

Result<PublicKey> key_from_cbor(const cbor::Value& v, std::string_view what) {
  if (!v.is(cbor::Kind::Array) || v.as_array().size() != 2)
    return malformed(fmt::format("{}: a public key is [1, bytes(32)]", what));
  const auto& a = v.as_array();
  if (!a[0].is(cbor::Kind::Integer) || a[0].as_int() != 1)
    return malformed(fmt::format("{}: unsupported key algorithm", what));
  if (!a[1].is(cbor::Kind::Bytes) || a[1].as_bytes().size() != 32)
    return malformed(fmt::format("{}: a public key has 32 bytes", what));
  auto k = PublicKey::from_bytes(a[1].as_bytes());
  if (!k) return malformed(fmt::format("{}: {}", what, k.error().message));
  return k;
}

template <class T>
Result<T> uint_field(const cbor::Value& v, std::string_view what) {
  if (!v.is(cbor::Kind::Integer) || v.as_int() < 0)
    return malformed(fmt::format("payload field {} must be an unsigned integer", what));
  const auto n = static_cast<std::uint64_t>(v.as_int());
  if (n > std::numeric_limits<T>::max())
    return malformed(fmt::format("payload field {} is out of range ({})", what, n));
  return static_cast<T>(n);
}

Result<Bytes> uint_array(const cbor::Value& v, std::string_view what, std::size_t max_len) {
  // The reference encodes these as arrays of small integers; a byte string is refused
  // (stricter than the reference decoder, so that re-encoding is always identical).
  if (!v.is(cbor::Kind::Array)) return malformed(fmt::format("{} must be an array of bytes", what));
  const auto& a = v.as_array();
  if (a.size() > max_len)
    return fail(ErrorCode::InvalidPayloadStructure,
                fmt::format("{} has {} bytes (limit {})", what, a.size(), max_len));
  Bytes out;
  out.reserve(a.size());
  for (const auto& x : a) {
    if (!x.is(cbor::Kind::Integer) || x.as_int() < 0 || x.as_int() > 255)
      return malformed(fmt::format("{} must hold integers 0..255", what));
    out.push_back(static_cast<std::uint8_t>(x.as_int()));
  }
  return out;
}

Result<std::vector<std::string>> text_array(const cbor::Value& v, std::string_view what) {
  if (!v.is(cbor::Kind::Array)) return malformed(fmt::format("{} must be an array", what));
  std::vector<std::string> out;
  out.reserve(v.as_array().size());
  for (const auto& x : v.as_array()) {
    if (!x.is(cbor::Kind::Text)) return malformed(fmt::format("{} must hold text", what));
    out.push_back(x.as_text());
  }
  return out;
}

bool valid_utf8(std::string_view s) {
  // Round-trip through the CBOR text decoder's validation.
  Bytes enc;
  cbor::write_text(enc, s);
  return cbor::decode(enc).has_value();
}

Result<Payload> payload_from_cbor(const cbor::Value& root) {
  if (!root.is(cbor::Kind::Map)) return malformed("the payload must be a map");
  const auto& m = root.as_map();
  std::int64_t prev = -1;
  const cbor::Value* f[19] = {};
  for (const auto& e : m) {
    if (!e.key.is(cbor::Kind::Integer) || e.key.as_int() < 0)
      return malformed("payload keys must be unsigned integers");
    const std::int64_t k = e.key.as_int();
    if (k == 12 || k > 18) return malformed(fmt::format("unknown payload field {}", k));
    if (k <= prev) return malformed("payload keys must be in ascending order");
    prev = k;
    f[k] = &e.value;
  }
  // Version first: a payload of another version is 1201, whatever else it holds.
  if (f[0] == nullptr) return malformed("payload field 0 (version) is missing");
  TENUO_TRY_ASSIGN(auto version, uint_field<std::uint64_t>(*f[0], "0 (version)"));
  if (version != 1)
    return fail(ErrorCode::InvalidPayloadStructure,
                fmt::format("unsupported payload version {}", version));
  for (int k = 1; k <= 8; ++k)
    if (f[k] == nullptr) return malformed(fmt::format("required payload field {} is missing", k));
  // Key 18 (depth) is always emitted by the reference encoder; its absence is refused.
  if (f[18] == nullptr) return malformed("payload field 18 (depth) is missing");

  TENUO_TRY_ASSIGN(PublicKey holder, key_from_cbor(*f[4], "holder"));
  TENUO_TRY_ASSIGN(PublicKey issuer, key_from_cbor(*f[5], "issuer"));
  Payload p(holder, issuer);
  p.version = 1;
  if (!f[1]->is(cbor::Kind::Bytes) || f[1]->as_bytes().size() != 16)
    return malformed("payload field 1 (id) must be 16 bytes");
  std::copy(f[1]->as_bytes().begin(), f[1]->as_bytes().end(), p.id.begin());
  TENUO_TRY_ASSIGN(auto type, uint_field<std::uint8_t>(*f[2], "2 (warrant_type)"));
  if (type > 1) return malformed(fmt::format("unknown warrant type {}", type));
  p.type = static_cast<WarrantType>(type);

  if (!f[3]->is(cbor::Kind::Map)) return malformed("payload field 3 (tools) must be a map");
  if (f[3]->as_map().size() > kMaxToolsPerWarrant)
    return fail(ErrorCode::InvalidPayloadStructure,
                fmt::format("{} tools (limit {})", f[3]->as_map().size(), kMaxToolsPerWarrant));
  const std::string* prev_tool = nullptr;
  for (const auto& e : f[3]->as_map()) {
    if (!e.key.is(cbor::Kind::Text)) return malformed("tool names must be text");
    if (prev_tool != nullptr && !(*prev_tool < e.key.as_text()))
      return malformed("tool names must be in byte-wise order");
    prev_tool = &e.key.as_text();
    TENUO_TRY_ASSIGN(ConstraintSet cs, constraint_set_from_cbor(e.value));
    p.tools.emplace_back(e.key.as_text(), std::move(cs));
  }
  TENUO_TRY_ASSIGN(p.issued_at, uint_field<std::uint64_t>(*f[6], "6 (issued_at)"));
  TENUO_TRY_ASSIGN(p.expires_at, uint_field<std::uint64_t>(*f[7], "7 (expires_at)"));
  TENUO_TRY_ASSIGN(p.max_depth, uint_field<std::uint8_t>(*f[8], "8 (max_depth)"));
  if (f[9] != nullptr) {
    // A fixed [u8; 32] in the reference: any other length is a decode error (1202), not 1201.
    if (!f[9]->is(cbor::Kind::Array) || f[9]->as_array().size() != 32)
      return malformed("parent_hash must be an array of 32 bytes");
    TENUO_TRY_ASSIGN(Bytes h, uint_array(*f[9], "parent_hash", 32));
    Sha256Digest d{};
    std::copy(h.begin(), h.end(), d.begin());
    p.parent_hash = d;
  }
  if (f[10] != nullptr) {
    if (!f[10]->is(cbor::Kind::Map) || f[10]->as_map().empty())
      return malformed("payload field 10 (extensions) must be a non-empty map");
    if (f[10]->as_map().size() > kMaxExtensionKeys)
      return fail(ErrorCode::InvalidPayloadStructure,
                  fmt::format("{} extensions (limit {})", f[10]->as_map().size(), kMaxExtensionKeys));
    const std::string* prev_key = nullptr;
    for (const auto& e : f[10]->as_map()) {
      if (!e.key.is(cbor::Kind::Text)) return malformed("extension keys must be text");
      if (prev_key != nullptr && !(*prev_key < e.key.as_text()))
        return malformed("extension keys must be in byte-wise order");
      prev_key = &e.key.as_text();
      TENUO_TRY_ASSIGN(Bytes val, uint_array(e.value, "extension value", kMaxExtensionValueBytes));
      const std::string& k = e.key.as_text();
      if (k == kSessionIdExtension || k == kAgentIdExtension) {
        std::string s(as_chars(val));
        if (!valid_utf8(s)) return malformed(fmt::format("{} is not valid UTF-8", k));
        (k == kSessionIdExtension ? p.session_id : p.agent_id) = std::move(s);
      } else {
        p.extensions.emplace_back(k, std::move(val));
      }
    }
  }
  if (f[11] != nullptr) {
    TENUO_TRY_ASSIGN(auto tools, text_array(*f[11], "issuable_tools"));
    p.issuable_tools = std::move(tools);
  }
  if (f[13] != nullptr) {
    TENUO_TRY_ASSIGN(auto v, uint_field<std::uint32_t>(*f[13], "13 (max_issue_depth)"));
    p.max_issue_depth = v;
  }
  if (f[14] != nullptr) {
    TENUO_TRY_ASSIGN(ConstraintSet cs, constraint_set_from_cbor(*f[14]));
    if (cs.empty()) return malformed("constraint_bounds is present but empty");
    p.constraint_bounds = std::move(cs);
  }
  if (f[15] != nullptr) {
    if (!f[15]->is(cbor::Kind::Array)) return malformed("required_approvers must be an array");
    std::vector<PublicKey> keys;
    for (const auto& x : f[15]->as_array()) {
      TENUO_TRY_ASSIGN(PublicKey k, key_from_cbor(x, "required_approvers"));
      keys.push_back(k);
    }
    p.required_approvers = std::move(keys);
  }
  if (f[16] != nullptr) {
    TENUO_TRY_ASSIGN(auto v, uint_field<std::uint32_t>(*f[16], "16 (min_approvals)"));
    p.min_approvals = v;
  }
  if (f[17] != nullptr) {
    TENUO_TRY_ASSIGN(auto v, uint_field<std::uint8_t>(*f[17], "17 (clearance)"));
    p.clearance = v;
  }
  TENUO_TRY_ASSIGN(p.depth, uint_field<std::uint32_t>(*f[18], "18 (depth)"));
  return p;
}

// Envelope pieces, read before anything in the payload is interpreted.
struct Envelope {
  Bytes payload;
  Signature sig{};
};

Result<Envelope> envelope_from_cbor(const cbor::Value& v) {
  if (!v.is(cbor::Kind::Array) || v.as_array().size() != 3)
    return malformed("a signed warrant is a 3-element array [version, payload, signature]");
  const auto& a = v.as_array();
  if (!a[0].is(cbor::Kind::Integer) || a[0].as_int() != 1)
    return malformed("unsupported envelope version (expected 1)");
  if (!a[1].is(cbor::Kind::Bytes)) return malformed("the envelope payload must be a byte string");
  if (!a[2].is(cbor::Kind::Array) || a[2].as_array().size() != 2)
    return malformed("a signature is [1, bytes(64)]");
  const auto& s = a[2].as_array();
  if (!s[0].is(cbor::Kind::Integer) || s[0].as_int() != 1)
    return malformed("unsupported signature algorithm");
  if (!s[1].is(cbor::Kind::Bytes) || s[1].as_bytes().size() != 64)
    return malformed("a signature has 64 bytes");
  Envelope e;
  e.payload = a[1].as_bytes();
  std::copy(s[1].as_bytes().begin(), s[1].as_bytes().end(), e.sig.begin());
  return e;
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
  TENUO_TRY_ASSIGN(cbor::Value outer, cbor::decode(bytes, {.max_depth = 4, .max_bytes = kMaxWarrantBytes}));
  TENUO_TRY_ASSIGN(Envelope env, envelope_from_cbor(outer));
  // Structural CBOR parse only; nothing is interpreted until the signature verifies.
  TENUO_TRY_ASSIGN(cbor::Value root, cbor::decode(env.payload, {.max_depth = kMaxPayloadCborDepth,
                                                                .max_bytes = kMaxWarrantBytes}));
  const cbor::Value* issuer = root.find_int(5);
  if (issuer == nullptr) return malformed("payload field 5 (issuer) is missing");
  TENUO_TRY_ASSIGN(PublicKey issuer_key, key_from_cbor(*issuer, "issuer"));
  const ByteView parts[] = {as_bytes(kWarrantDomain), ByteView(kEnvelopeVersionByte), env.payload};
  if (!detail::ed25519_verify_parts(issuer_key.bytes(), parts, env.sig))
    return fail(ErrorCode::SignatureInvalid,
                fmt::format("the warrant signature does not verify with its issuer key {}",
                            issuer_key.fingerprint()));
  TENUO_TRY_ASSIGN(Payload p, payload_from_cbor(root));
  TENUO_TRY(validate_payload(p));
  if (now && p.issued_at > static_cast<std::uint64_t>(std::max<std::int64_t>(*now, 0)) +
                               kClockToleranceSeconds)
    return fail(ErrorCode::IssuedInFuture,
                fmt::format("warrant {} is issued at {}, more than {} s after now ({})", id_text(p.id),
                            p.issued_at, kClockToleranceSeconds, *now));
  return WarrantFactory::from_verified(std::move(p), std::move(env.payload), env.sig, Bytes(bytes.begin(), bytes.end()));
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

// The payload bytes of one link, by the rules of envelope_from_cbor (which it must match
// exactly) but without building a tree: [1, bstr payload, [1, bstr(64)]], canonical.
std::optional<ByteView> payload_of(ByteView link) {
  auto items = cbor::validate_and_split(link, {.max_depth = 4, .max_bytes = kMaxWarrantBytes});
  if (!items || items->size() != 3) return std::nullopt;
  const ByteView version = (*items)[0];
  const ByteView payload = (*items)[1];
  const ByteView sig = (*items)[2];
  if (version.size() != 1 || version[0] != 0x01) return std::nullopt;
  const std::uint8_t ph = payload[0];
  if ((ph >> 5) != 2) return std::nullopt;
  const std::size_t info = ph & 0x1f;
  const std::size_t head = info < 24 ? 1 : 1 + (std::size_t{1} << (info - 24));
  // [1, bytes(64)]: 82 01 58 40 <64 bytes>, the only canonical form.
  if (sig.size() != 68 || sig[0] != 0x82 || sig[1] != 0x01 || sig[2] != 0x58 || sig[3] != 0x40)
    return std::nullopt;
  return payload.subspan(head);
}

std::optional<cbor::Value> payload_tree(ByteView link) {
  auto payload = payload_of(link);
  if (!payload) return std::nullopt;
  auto root = cbor::decode(*payload, {.max_depth = kMaxPayloadCborDepth, .max_bytes = kMaxWarrantBytes});
  if (!root) return std::nullopt;
  return std::move(*root);
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

std::optional<PublicKey> claimed_issuer(ByteView link) {
  auto root = payload_tree(link);
  if (!root) return std::nullopt;
  const cbor::Value* issuer = root->find_int(5);
  if (issuer == nullptr) return std::nullopt;
  auto key = key_from_cbor(*issuer, "issuer");
  if (!key) return std::nullopt;
  return *key;
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
        auto outer = cbor::decode(link, {.max_depth = 4, .max_bytes = kMaxWarrantBytes});
        if (!outer) return std::nullopt;
        auto env = envelope_from_cbor(*outer);
        if (!env) return std::nullopt;
        auto root = cbor::decode(env->payload, {.max_depth = kMaxPayloadCborDepth, .max_bytes = kMaxWarrantBytes});
        if (!root) return std::nullopt;
        auto p = payload_from_cbor(*root);
        if (!p || !validate_payload(*p)) return std::nullopt;
        return UnverifiedLink{std::move(*p), sha256(env->payload), Bytes(link.begin(), link.end()), false};
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

bool links_valid_before_trust(std::span<const ByteView> links, std::int64_t now) {
  const auto unow = static_cast<std::uint64_t>(std::max<std::int64_t>(now, 0));
  std::vector<WarrantId> ids;
  ids.reserve(links.size());
  for (const ByteView link : links) {
    auto root = payload_tree(link);
    if (!root) return false;
    auto p = payload_from_cbor(*root);
    if (!p || !validate_payload(*p)) return false;
    if (p->issued_at > unow + kClockToleranceSeconds) return false;
    if (std::find(ids.begin(), ids.end(), p->id) != ids.end()) return false;
    ids.push_back(p->id);
  }
  return true;
}

}  // namespace tenuo::detail
