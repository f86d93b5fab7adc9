#include <tenuo/receipt.hpp>

#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/error.hpp>

#include "detail/crypto.hpp"
#include "detail/json_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstring>

namespace tenuo {
namespace {

constexpr std::string_view kWarrantDomain = "tenuo-warrant-v1";
constexpr std::int64_t kMaxKey = 15;

Unexpected malformed(std::string msg) {
  return fail(ErrorCode::MalformedCbor, "receipt: " + std::move(msg));
}

void write_opt_text(Bytes& out, std::int64_t key, const std::optional<std::string>& v) {
  if (!v) return;
  cbor::write_int(out, key);
  cbor::write_text(out, *v);
}

template <std::size_t N>
void write_opt_bytes(Bytes& out, std::int64_t key, const std::optional<std::array<std::uint8_t, N>>& v) {
  if (!v) return;
  cbor::write_int(out, key);
  cbor::write_bytes(out, *v);
}

Bytes signed_message(std::uint64_t version, ByteView payload) {
  Bytes msg;
  msg.reserve(kWarrantDomain.size() + kReceiptContext.size() + 1 + payload.size());
  msg.insert(msg.end(), kWarrantDomain.begin(), kWarrantDomain.end());
  msg.insert(msg.end(), kReceiptContext.begin(), kReceiptContext.end());
  msg.push_back(static_cast<std::uint8_t>(version));
  msg.insert(msg.end(), payload.begin(), payload.end());
  return msg;
}

Result<std::string> as_text(const cbor::Value& v, std::int64_t key) {
  if (!v.is(cbor::Kind::Text)) return malformed(fmt::format("payload key {} must be text", key));
  return v.as_text();
}

template <std::size_t N>
Result<std::array<std::uint8_t, N>> as_fixed(const cbor::Value& v, std::int64_t key) {
  if (!v.is(cbor::Kind::Bytes))
    return malformed(fmt::format("payload key {} must be a byte string", key));
  const Bytes& b = v.as_bytes();
  if (b.size() != N)
    return malformed(fmt::format("payload key {} is {} bytes, expected {}", key, b.size(), N));
  std::array<std::uint8_t, N> out{};
  std::copy(b.begin(), b.end(), out.begin());
  return out;
}

Result<std::uint64_t> as_uint(const cbor::Value& v, std::string_view what) {
  if (!v.is(cbor::Kind::Integer) || v.as_int() < 0)
    return malformed(fmt::format("{} must be an unsigned integer", what));
  return static_cast<std::uint64_t>(v.as_int());
}

// [1, bytes(N)] — PublicKey and Signature arrays (§3.1).
template <std::size_t N>
Result<std::array<std::uint8_t, N>> as_alg_array(const cbor::Value& v, std::string_view what) {
  if (!v.is(cbor::Kind::Array) || v.as_array().size() != 2)
    return malformed(fmt::format("{} must be [algorithm, bytes]", what));
  const auto& a = v.as_array();
  if (!a[0].is(cbor::Kind::Integer) || a[0].as_int() != 1)
    return malformed(fmt::format("{} algorithm must be 1 (Ed25519)", what));
  if (!a[1].is(cbor::Kind::Bytes) || a[1].as_bytes().size() != N)
    return malformed(fmt::format("{} must hold {} bytes", what, N));
  std::array<std::uint8_t, N> out{};
  std::copy(a[1].as_bytes().begin(), a[1].as_bytes().end(), out.begin());
  return out;
}

std::string digest_hex_prefix(const Sha256Digest& d) {
  return hex_encode(ByteView(d.data(), 8));
}

}  // namespace

Bytes encode_receipt_payload(const ReceiptPayload& p) {
  std::size_t n = 6;  // keys 0, 2, 3, 4, 5, 9
  n += p.authorizer_id.has_value() + p.root_principal.has_value() + p.request_hash.has_value() +
       p.pop_signature.has_value() + p.decision_code.has_value() +
       p.policy_definition_hash.has_value() + p.srl_version.has_value() +
       p.srl_hash.has_value() + p.prev_receipt_hash.has_value() +
       p.trusted_roots_hash.has_value();
  Bytes out;
  cbor::write_head(out, 5, n);
  cbor::write_int(out, 0);
  cbor::write_int(out, static_cast<std::int64_t>(kReceiptVersion));
  write_opt_text(out, 1, p.authorizer_id);
  cbor::write_int(out, 2);
  cbor::write_bytes(out, p.warrant_chain);
  cbor::write_int(out, 3);
  cbor::write_text(out, p.action);
  cbor::write_int(out, 4);
  cbor::write_text(out, p.outcome);
  cbor::write_int(out, 5);
  cbor::write_int(out, p.timestamp);
  write_opt_text(out, 6, p.root_principal);
  write_opt_bytes(out, 7, p.request_hash);
  write_opt_bytes(out, 8, p.pop_signature);
  cbor::write_int(out, 9);
  cbor::write_text(out, p.request_id);
  write_opt_text(out, 10, p.decision_code);
  write_opt_bytes(out, 11, p.policy_definition_hash);
  if (p.srl_version) {
    cbor::write_int(out, 12);
    cbor::write_head(out, 0, *p.srl_version);
  }
  write_opt_bytes(out, 13, p.srl_hash);
  write_opt_bytes(out, 14, p.prev_receipt_hash);
  write_opt_bytes(out, 15, p.trusted_roots_hash);
  return out;
}

Result<ReceiptPayload> decode_receipt_payload(ByteView bytes) {
  cbor::DecodeOptions opts;
  opts.max_bytes = kMaxReceiptBytes;
  auto decoded = cbor::decode(bytes, opts);
  if (!decoded) return malformed("payload: " + decoded.error().message);
  const cbor::Value& root = *decoded;
  if (!root.is(cbor::Kind::Map)) return malformed("payload must be a map");
  ReceiptPayload p;
  std::uint32_t present = 0;
  for (const auto& e : root.as_map()) {
    if (!e.key.is(cbor::Kind::Integer) || e.key.as_int() < 0 || e.key.as_int() > kMaxKey)
      return malformed("payload keys must be integers 0..15");
    const std::int64_t k = e.key.as_int();
    // The CBOR reader already refuses duplicate keys; this keeps the check local and explicit.
    if (present & (1u << k)) return malformed(fmt::format("payload key {} repeated", k));
    present |= 1u << k;
    const cbor::Value& v = e.value;
    switch (k) {
      case 0: {
        TENUO_TRY_ASSIGN(std::uint64_t ver, as_uint(v, "payload key 0 (version)"));
        if (ver != kReceiptVersion)
          return fail(ErrorCode::UnsupportedPayloadVersion,
                      fmt::format("receipt payload version {} (expected {})", ver, kReceiptVersion));
        break;
      }
      case 1: { TENUO_TRY_ASSIGN(p.authorizer_id, as_text(v, k)); break; }
      case 2:
        if (!v.is(cbor::Kind::Bytes)) return malformed("payload key 2 must be a byte string");
        p.warrant_chain = v.as_bytes();
        break;
      case 3: { TENUO_TRY_ASSIGN(p.action, as_text(v, k)); break; }
      case 4: { TENUO_TRY_ASSIGN(p.outcome, as_text(v, k)); break; }
      case 5:
        if (!v.is(cbor::Kind::Integer)) return malformed("payload key 5 must be an integer");
        p.timestamp = v.as_int();
        break;
      case 6: { TENUO_TRY_ASSIGN(p.root_principal, as_text(v, k)); break; }
      case 7: { TENUO_TRY_ASSIGN(p.request_hash, as_fixed<32>(v, k)); break; }
      case 8: { TENUO_TRY_ASSIGN(p.pop_signature, as_fixed<64>(v, k)); break; }
      case 9: { TENUO_TRY_ASSIGN(p.request_id, as_text(v, k)); break; }
      case 10: { TENUO_TRY_ASSIGN(p.decision_code, as_text(v, k)); break; }
      case 11: { TENUO_TRY_ASSIGN(p.policy_definition_hash, as_fixed<32>(v, k)); break; }
      case 12: { TENUO_TRY_ASSIGN(p.srl_version, as_uint(v, "payload key 12")); break; }
      case 13: { TENUO_TRY_ASSIGN(p.srl_hash, as_fixed<32>(v, k)); break; }
      case 14: { TENUO_TRY_ASSIGN(p.prev_receipt_hash, as_fixed<32>(v, k)); break; }
      case 15: { TENUO_TRY_ASSIGN(p.trusted_roots_hash, as_fixed<32>(v, k)); break; }
      default: break;
    }
  }
  for (std::int64_t required : {0, 2, 3, 4, 5, 9})
    if (!(present & (1u << required)))
      return malformed(fmt::format("payload key {} is missing", required));
  return p;
}

Bytes sign_receipt(const SigningKey& signer, const ReceiptPayload& payload) {
  const Bytes body = encode_receipt_payload(payload);
  const Signature sig = signer.sign(signed_message(kReceiptVersion, body));
  Bytes out;
  cbor::write_head(out, 5, 4);
  cbor::write_text(out, "receipt_version");
  cbor::write_int(out, static_cast<std::int64_t>(kReceiptVersion));
  cbor::write_text(out, "payload");
  cbor::write_bytes(out, body);
  cbor::write_text(out, "signer_key");
  cbor::write_head(out, 4, 2);
  cbor::write_int(out, 1);
  cbor::write_bytes(out, signer.public_key().bytes());
  cbor::write_text(out, "signature");
  cbor::write_head(out, 4, 2);
  cbor::write_int(out, 1);
  cbor::write_bytes(out, sig);
  return out;
}

Result<Receipt> verify_receipt(ByteView bytes) {
  if (bytes.size() > kMaxReceiptBytes)
    return malformed(fmt::format("{} bytes, over the {}-byte limit", bytes.size(), kMaxReceiptBytes));
  cbor::DecodeOptions opts;
  opts.max_bytes = kMaxReceiptBytes;
  auto decoded = cbor::decode(bytes, opts);
  if (!decoded) return malformed(decoded.error().message);
  const cbor::Value& root = *decoded;
  if (!root.is(cbor::Kind::Map)) return malformed("not a map");
  // Struct map: any key order, unknown text keys ignored (§21.1).
  const cbor::Value* version = root.find("receipt_version");
  const cbor::Value* payload = root.find("payload");
  const cbor::Value* signer = root.find("signer_key");
  const cbor::Value* signature = root.find("signature");
  if (version == nullptr || payload == nullptr || signer == nullptr || signature == nullptr)
    return malformed("receipt_version, payload, signer_key and signature are all required");
  TENUO_TRY_ASSIGN(std::uint64_t ver, as_uint(*version, "receipt_version"));
  if (ver != kReceiptVersion)
    return fail(ErrorCode::UnsupportedEnvelopeVersion,
                fmt::format("receipt_version {} is not supported (expected 1)", ver));
  if (!payload->is(cbor::Kind::Bytes)) return malformed("payload must be a byte string");
  TENUO_TRY_ASSIGN(auto key_bytes, as_alg_array<32>(*signer, "signer_key"));
  TENUO_TRY_ASSIGN(auto sig, as_alg_array<64>(*signature, "signature"));
  auto key = PublicKey::from_bytes(key_bytes);
  if (!key) return malformed("signer_key is not a valid Ed25519 public key");
  const Bytes& body = payload->as_bytes();
  // Authenticity before meaning: the payload is decoded only once its signature holds.
  if (!key->verify(signed_message(ver, body), sig))
    return fail(ErrorCode::SignatureInvalid,
                fmt::format("receipt signature does not verify under signer_key {}", key->hex()));
  TENUO_TRY_ASSIGN(ReceiptPayload p, decode_receipt_payload(body));
  return Receipt{Bytes(bytes.begin(), bytes.end()), detail::sha256(bytes), body, std::move(p),
                 *key, sig};
}

Result<void> check_receipt_fields(const ReceiptPayload& p) {
  if (p.outcome == "allow") {
    if (!p.pop_signature)
      return fail(ErrorCode::InvalidPayloadStructure, "allow receipt without a PoP (key 8)");
    return {};
  }
  if (p.outcome == "deny") {
    if (!p.decision_code)
      return fail(ErrorCode::InvalidPayloadStructure, "deny receipt without a decision code (key 10)");
    if (!code_from_name(*p.decision_code))
      return fail(ErrorCode::InvalidPayloadStructure,
                  fmt::format("deny receipt names an unknown code '{}'", *p.decision_code));
    return {};
  }
  return fail(ErrorCode::InvalidPayloadStructure,
              fmt::format("receipt outcome '{}' is neither allow nor deny", p.outcome));
}

Sha256Digest trusted_roots_hash(std::span<const PublicKey> roots) {
  std::vector<std::array<std::uint8_t, 32>> keys;
  keys.reserve(roots.size());
  for (const auto& k : roots) keys.push_back(k.bytes());
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  detail::Sha256Hasher h;
  for (const auto& k : keys) h.update(k);
  return h.finish();
}

std::string receipt_jsonl_line(ByteView receipt) {
  std::string out;
  out.reserve(receipt.size() * 2 + 16);
  out += "{\"receipt\":\"";
  out += hex_encode(receipt);
  out += "\"}\n";
  return out;
}

Result<std::optional<Bytes>> parse_receipt_line(std::string_view line) {
  auto is_ws = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!line.empty() && is_ws(line.back())) line.remove_suffix(1);
  while (!line.empty() && is_ws(line.front())) line.remove_prefix(1);
  if (line.empty()) return std::optional<Bytes>{};
  constexpr std::size_t kMaxHex = 2 * kMaxReceiptBytes;
  std::string_view hex = line;
  std::string member;
  if (line.front() == '{') {
    ArgumentLimits lim;
    lim.max_text_bytes = kMaxHex + 1024;
    lim.max_string_bytes = kMaxHex;
    lim.max_total_string_bytes = kMaxHex + 1024;
    lim.max_depth = 4;
    auto obj = detail::parse_json_object(line, lim, detail::NumberStyle::V032);
    if (!obj) return fail(ErrorCode::InvalidInput, "receipt line: " + obj.error().message);
    const Value v = Value::object(std::move(obj).value());
    const Value* r = v.find("receipt");
    if (r == nullptr || !r->is_string())
      return fail(ErrorCode::InvalidInput, "receipt line: no \"receipt\" string member");
    member = r->as_string();
    hex = member;
  }
  if (hex.size() > kMaxHex)
    return fail(ErrorCode::InvalidInput, "receipt line: receipt is larger than the limit");
  auto bytes = hex_decode(hex);
  if (!bytes) return fail(ErrorCode::InvalidInput, "receipt line: " + bytes.error().message);
  return std::optional<Bytes>{std::move(bytes).value()};
}

// ---------------------------------------------------------------- chain checker

std::size_t ReceiptChainChecker::DigestHash::operator()(const Sha256Digest& d) const noexcept {
  std::size_t h = 0;
  std::memcpy(&h, d.data(), sizeof h);  // a SHA-256 prefix is already uniform
  return h;
}

ReceiptChainChecker::ReceiptChainChecker(std::vector<PublicKey> allowed_signers)
    : m_allowed(std::move(allowed_signers)) {}

void ReceiptChainChecker::issue(ChainIssueKind kind, std::size_t line,
                                std::optional<std::size_t> other, std::string message,
                                IssueSeverity sev) {
  m_report.issues.push_back(ChainIssue{kind, sev, line, other, std::move(message)});
}

std::optional<Result<Receipt>> ReceiptChainChecker::add_line(std::size_t line,
                                                             std::string_view text) {
  auto parsed = parse_receipt_line(text);
  if (!parsed) {
    issue(ChainIssueKind::Malformed, line, std::nullopt, parsed.error().message);
    return Result<Receipt>{Unexpected{std::move(parsed).error()}};
  }
  if (!parsed->has_value()) return std::nullopt;
  return add(line, **parsed);
}

Result<Receipt> ReceiptChainChecker::add(std::size_t line, ByteView bytes) {
  auto r = verify_receipt(bytes);
  add_result(line, r);
  return r;
}

void ReceiptChainChecker::add_result(std::size_t line, const Result<Receipt>& r) {
  if (!r) {
    if (r.error().code == ErrorCode::SignatureInvalid)
      issue(ChainIssueKind::Forged, line, std::nullopt,
            "signature does not verify: the receipt was altered or forged");
    else
      issue(ChainIssueKind::Malformed, line, std::nullopt, r.error().message);
    return;
  }
  const Receipt& rc = *r;
  if (auto it = m_seen.find(rc.hash); it != m_seen.end()) {
    issue(ChainIssueKind::Duplicate, line, it->second,
          fmt::format("the same receipt as line {} (replayed)", it->second));
    return;
  }
  ++m_report.receipts;
  m_seen.emplace(rc.hash, line);
  if (!m_allowed.empty() &&
      std::find(m_allowed.begin(), m_allowed.end(), rc.signer_key) == m_allowed.end())
    issue(ChainIssueKind::UnknownSigner, line, std::nullopt,
          fmt::format("signer {} is not an allowed authorizer", rc.signer_key.hex()));

  const auto signer = rc.signer_key.bytes();
  auto last = m_last.find(signer);
  const auto& prev = rc.payload.prev_receipt_hash;
  if (prev) {
    if (last != m_last.end() && last->second.hash == *prev) {
      // The expected link.
    } else if (auto seen = m_seen.find(*prev); seen != m_seen.end()) {
      issue(ChainIssueKind::Reordered, line, seen->second,
            last == m_last.end()
                ? fmt::format("links to line {}, which is not by this signer", seen->second)
                : fmt::format("links to line {}, but this signer's previous receipt is line {}",
                              seen->second, last->second.line));
    } else {
      m_pending.push_back(Pending{line, *prev});
    }
  } else if (last != m_last.end()) {
    issue(ChainIssueKind::Unchained, line, last->second.line,
          fmt::format("no link to this signer's previous receipt (line {}): chain restarted",
                      last->second.line),
          IssueSeverity::Warning);
  }
  if (last == m_last.end())
    m_last.emplace(signer, Link{rc.hash, line});
  else
    last->second = Link{rc.hash, line};
}

ChainReport ReceiptChainChecker::finish() {
  for (const auto& p : m_pending) {
    if (auto seen = m_seen.find(p.prev); seen != m_seen.end())
      issue(ChainIssueKind::Reordered, p.line, seen->second,
            fmt::format("links to line {}, which comes later", seen->second));
    else
      issue(ChainIssueKind::Break, p.line, std::nullopt,
            fmt::format("links to receipt {}… which is not in the input: a receipt was removed",
                        digest_hex_prefix(p.prev)));
  }
  m_pending.clear();
  if (m_report.receipts == 0 && m_report.issues.empty())
    issue(ChainIssueKind::Empty, 0, std::nullopt, "no receipts");
  m_report.signers = m_last.size();
  std::stable_sort(m_report.issues.begin(), m_report.issues.end(),
                   [](const ChainIssue& a, const ChainIssue& b) { return a.line < b.line; });
  return std::move(m_report);
}

}  // namespace tenuo
