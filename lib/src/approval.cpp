#include <tenuo/approval.hpp>

#include <tenuo/arguments.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/evaluate.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/pop.hpp>

#include "detail/constraint_json.hpp"
#include "detail/crypto.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <limits>

namespace tenuo {
namespace {

using cbor::Kind;

constexpr std::string_view kWarrantDomain = "tenuo-warrant-v1";

// ---- gates ----

Unexpected bad_gates(std::string msg) {
  return fail(ErrorCode::MalformedCbor, "approval gates: " + std::move(msg));
}

// Types an exemption may not wrap (§5.6): their "does not match" is not a narrowing anyone can
// reason about, and the reference refuses them at decode.
bool exempt_allowed(const Constraint& c) {
  return !(c.get_if<c::Wildcard>() || c.get_if<c::Any>() || c.get_if<c::Not>() || c.get_if<c::Cel>() ||
           c.get_if<c::Unknown>());
}

Result<ArgGate> arg_gate_from_cbor(const cbor::Value& v, std::string_view where) {
  if (v.is(Kind::Text)) {
    if (v.as_text() != "all") return bad_gates(fmt::format("{}: the only text gate is \"all\"", where));
    return ArgGate{ArgGateKind::All, {}};
  }
  if (v.is(Kind::Array)) {
    auto c = constraint_from_cbor(v);
    if (!c) return bad_gates(fmt::format("{}: {}", where, c.error().message));
    return ArgGate{ArgGateKind::Match, std::move(*c)};
  }
  if (v.is(Kind::Map) && v.as_map().size() == 1 && v.as_map()[0].key.is(Kind::Text) &&
      v.as_map()[0].key.as_text() == "exempt") {
    auto c = constraint_from_cbor(v.as_map()[0].value);
    if (!c) return bad_gates(fmt::format("{}: exempt: {}", where, c.error().message));
    if (!exempt_allowed(*c))
      return bad_gates(fmt::format("{}: exempt may not wrap {}", where, c->type_name()));
    return ArgGate{ArgGateKind::Exempt, std::move(*c)};
  }
  return bad_gates(fmt::format("{}: expected \"all\", a constraint or {{\"exempt\": constraint}}", where));
}

cbor::Value arg_gate_to_cbor(const ArgGate& g) {
  switch (g.kind) {
    case ArgGateKind::All: return cbor::Value::text("all");
    case ArgGateKind::Match: return to_cbor(g.constraint);
    case ArgGateKind::Exempt: break;
  }
  return cbor::Value::map({cbor::Entry{cbor::Value::text("exempt"), to_cbor(g.constraint)}});
}

Result<void> check_gates(const ApprovalGates& gates) {
  for (std::size_t i = 0; i < gates.size(); ++i) {
    if (i > 0 && !(gates[i - 1].first < gates[i].first)) return bad_gates("tool names must be unique");
    if (!gates[i].second.args) continue;
    const auto& args = *gates[i].second.args;
    for (std::size_t j = 0; j < args.size(); ++j) {
      if (j > 0 && !(args[j - 1].first < args[j].first))
        return bad_gates(fmt::format("{}: argument names must be unique", gates[i].first));
      if (args[j].second.kind == ArgGateKind::Exempt && !exempt_allowed(args[j].second.constraint))
        return bad_gates(fmt::format("{}.{}: exempt may not wrap {}", gates[i].first, args[j].first,
                                     args[j].second.constraint.type_name()));
    }
  }
  return {};
}

std::string describe(const ArgGate& g) {
  switch (g.kind) {
    case ArgGateKind::All: return "all";
    case ArgGateKind::Match: return display(g.constraint);
    case ArgGateKind::Exempt: break;
  }
  return "exempt " + display(g.constraint);
}

// ---- approvals ----

Unexpected bad_payload(std::string msg) {
  return fail(ErrorCode::ApprovalPayloadInvalid, "approval payload: " + std::move(msg));
}
Unexpected bad_approval(std::string msg) {
  return fail(ErrorCode::ApprovalInvalid, "signed approval: " + std::move(msg));
}

void write_uint_array(Bytes& out, ByteView b) {
  cbor::write_head(out, 4, b.size());
  for (std::uint8_t x : b) cbor::write_head(out, 0, x);
}

// A byte string or a uint-array (the reference takes either for byte fields), of at most
// `max_len` bytes; the array length is checked before anything is copied.
std::optional<Bytes> byte_field(const cbor::Value& v, std::size_t max_len) {
  if (v.is(Kind::Bytes)) {
    if (v.as_bytes().size() > max_len) return std::nullopt;
    return v.as_bytes();
  }
  if (!v.is(Kind::Array) || v.as_array().size() > max_len) return std::nullopt;
  Bytes out;
  out.reserve(v.as_array().size());
  for (const auto& x : v.as_array()) {
    if (!x.is(Kind::Integer) || x.as_int() < 0 || x.as_int() > 255) return std::nullopt;
    out.push_back(static_cast<std::uint8_t>(x.as_int()));
  }
  return out;
}

template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> fixed_field(const cbor::Value& v) {
  auto b = byte_field(v, N);
  if (!b || b->size() != N) return std::nullopt;
  std::array<std::uint8_t, N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

std::optional<std::uint64_t> uint_value(const cbor::Value& v) {
  if (!v.is(Kind::Integer) || v.as_int() < 0) return std::nullopt;
  return static_cast<std::uint64_t>(v.as_int());
}

// [1, bytes(N)] (or a uint-array of N).
template <std::size_t N>
std::optional<std::array<std::uint8_t, N>> algorithm_pair(const cbor::Value& v) {
  if (!v.is(Kind::Array) || v.as_array().size() != 2) return std::nullopt;
  const auto& a = v.as_array();
  if (!a[0].is(Kind::Integer) || a[0].as_int() != 1) return std::nullopt;
  return fixed_field<N>(a[1]);
}

cbor::DecodeOptions approval_cbor_options() {
  cbor::DecodeOptions o;
  o.max_depth = 8;
  o.max_bytes = kMaxApprovalBytes;
  return o;
}

std::string short_hex(const Sha256Digest& h) { return hex_encode(ByteView(h)); }

// §9.3 step 4 for one approval; `seen` (when given) enforces one approval per approver at the
// reference's position: after the approver check, before expiry.
Result<ApprovalPayload> check_one(const SignedApproval& a, const Sha256Digest& request_hash,
                                  std::span<const PublicKey> approvers, std::int64_t now,
                                  std::vector<PublicKey>* seen) {
  if (a.version != 1)
    return fail(ErrorCode::UnsupportedApprovalVersion, fmt::format("approval version {} (expected 1)", a.version));
  if (!a.approver_key.verify(approval_message(a.payload), ByteView(a.signature)))
    return fail(ErrorCode::ApprovalInvalid,
                fmt::format("the signature does not verify with approver key {}", a.approver_key.hex()));
  TENUO_TRY_ASSIGN(ApprovalPayload p, decode_approval_payload(a.payload));
  // Payload times are within i64 (the CBOR reader refuses larger integers).
  const auto approved = static_cast<std::int64_t>(p.approved_at);
  const auto expires = static_cast<std::int64_t>(p.expires_at);
  constexpr auto kTol = static_cast<std::int64_t>(kClockToleranceSeconds);
  if (now < std::numeric_limits<std::int64_t>::max() - kTol && approved > now + kTol)
    return fail(ErrorCode::ApprovalPayloadInvalid,
                fmt::format("approved_at {} is {} s in the future (tolerance {} s)", approved, approved - now, kTol));
  if (expires <= approved)
    return fail(ErrorCode::ApprovalPayloadInvalid,
                fmt::format("expires_at {} is not after approved_at {}", expires, approved));
  if (std::find(approvers.begin(), approvers.end(), a.approver_key) == approvers.end())
    return fail(ErrorCode::ApproverNotAuthorized,
                fmt::format("approver {} is not one of the warrant's required approvers", a.approver_key.hex()));
  if (seen != nullptr) {
    if (std::find(seen->begin(), seen->end(), a.approver_key) != seen->end())
      return fail(ErrorCode::ApprovalInvalid,
                  fmt::format("a second approval by {}: one approval per approver", a.approver_key.fingerprint()));
    seen->push_back(a.approver_key);
  }
  if (expires < std::numeric_limits<std::int64_t>::max() - kTol && expires + kTol < now)
    return fail(ErrorCode::ApprovalExpired,
                fmt::format("the approval expired {} s ago (at {}, tolerance {} s)", now - expires, expires, kTol));
  if (p.request_hash != request_hash)
    return fail(ErrorCode::ApprovalRequestHashMismatch,
                fmt::format("it approves request {}, not this call ({}): another warrant, holder, tool or arguments",
                            short_hex(p.request_hash), short_hex(request_hash)));
  return p;
}

std::string approver_list(std::span<const PublicKey> keys) {
  std::string s;
  for (const auto& k : keys) s += (s.empty() ? "" : ", ") + k.hex();
  return s;
}

}  // namespace

// ---- gates ----

Bytes encode_approval_gates(const ApprovalGates& gates) {
  cbor::Map root;
  for (const auto& [tool, g] : gates) {
    cbor::Value args = cbor::Value::null();
    if (g.args) {
      cbor::Map m;
      for (const auto& [arg, ag] : *g.args) m.push_back({cbor::Value::text(arg), arg_gate_to_cbor(ag)});
      args = cbor::Value::map(std::move(m));
    }
    root.push_back({cbor::Value::text(tool),
                    cbor::Value::map({cbor::Entry{cbor::Value::text("args"), std::move(args)}})});
  }
  return cbor::encode(cbor::Value::map(std::move(root)));
}

Result<ApprovalGates> decode_approval_gates(ByteView bytes) {
  cbor::DecodeOptions o;
  o.max_depth = kMaxPayloadCborDepth;
  o.max_bytes = kMaxExtensionValueBytes;
  auto root = cbor::decode(bytes, o);
  if (!root) return bad_gates(root.error().message);
  if (!root->is(Kind::Map)) return bad_gates("expected a map of tool names");
  ApprovalGates out;
  for (const auto& e : root->as_map()) {
    if (!e.key.is(Kind::Text)) return bad_gates("tool names must be text");
    const std::string& tool = e.key.as_text();
    if (!out.empty() && !(out.back().first < tool)) return bad_gates("tool names must be in byte-wise order");
    if (!e.value.is(Kind::Map)) return bad_gates(fmt::format("{}: expected {{\"args\": …}}", tool));
    const auto& tm = e.value.as_map();
    ToolGate tg;  // "args" absent: None in the reference, the whole tool gated
    if (tm.size() > 1 || (tm.size() == 1 && !(tm[0].key.is(Kind::Text) && tm[0].key.as_text() == "args")))
      return bad_gates(fmt::format("{}: the only key is \"args\"", tool));
    if (tm.size() == 1 && !tm[0].value.is(Kind::Null)) {
      const cbor::Value& av = tm[0].value;
      if (!av.is(Kind::Map)) return bad_gates(fmt::format("{}: \"args\" must be null or a map", tool));
      std::vector<std::pair<std::string, ArgGate>> args;
      for (const auto& a : av.as_map()) {
        if (!a.key.is(Kind::Text)) return bad_gates(fmt::format("{}: argument names must be text", tool));
        const std::string& name = a.key.as_text();
        if (!args.empty() && !(args.back().first < name))
          return bad_gates(fmt::format("{}: argument names must be in byte-wise order", tool));
        TENUO_TRY_ASSIGN(ArgGate g, arg_gate_from_cbor(a.value, fmt::format("{}.{}", tool, name)));
        args.emplace_back(name, std::move(g));
      }
      tg.args = std::move(args);
    }
    out.emplace_back(tool, std::move(tg));
  }
  return out;
}

Result<ApprovalGates> approval_gates_of(const Payload& p) {
  const auto ext = p.extension(kApprovalGatesExtension);
  if (!ext) return ApprovalGates{};
  auto g = decode_approval_gates(*ext);
  if (!g)
    return fail(ErrorCode::InvalidPayloadStructure,
                fmt::format("warrant {}: the {} extension is malformed: {}", id_text(p.id), kApprovalGatesExtension,
                            g.error().message));
  return g;
}

std::string to_json_text(const ApprovalGates& gates) {
  nlohmann::ordered_json root = nlohmann::ordered_json::object();
  for (const auto& [tool, g] : gates) {
    if (!g.args) {
      root[tool] = nullptr;
      continue;
    }
    nlohmann::ordered_json args = nlohmann::ordered_json::object();
    for (const auto& [arg, ag] : *g.args) {
      switch (ag.kind) {
        case ArgGateKind::All: args[arg] = "all"; break;
        case ArgGateKind::Match: args[arg] = detail::constraint_to_json(ag.constraint); break;
        case ArgGateKind::Exempt:
          args[arg] = nlohmann::ordered_json{{"exempt", detail::constraint_to_json(ag.constraint)}};
          break;
      }
    }
    root[tool] = std::move(args);
  }
  return root.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

Result<ApprovalGates> approval_gates_from_json_text(std::string_view json) {
  auto bad = [](std::string msg) { return fail(ErrorCode::InvalidInput, "approval gates: " + std::move(msg)); };
  TENUO_TRY_ASSIGN(nlohmann::json root, detail::parse_json_text(json));
  if (!root.is_object())
    return bad("expected {\"tool\": null | {\"arg\": \"all\" | CONSTRAINT | {\"exempt\": CONSTRAINT}}}");
  ApprovalGates out;
  for (const auto& [tool, g] : root.items()) {
    ToolGate tg;
    if (!g.is_null()) {
      if (!g.is_object()) return bad(fmt::format("{}: expected null (the whole tool) or an object of arguments", tool));
      std::vector<std::pair<std::string, ArgGate>> args;
      for (const auto& [arg, ag] : g.items()) {
        const std::string where = fmt::format("{}.{}", tool, arg);
        if (ag.is_string()) {
          if (ag.get<std::string>() != "all") return bad(fmt::format("{}: the only text gate is \"all\"", where));
          args.emplace_back(arg, ArgGate{ArgGateKind::All, {}});
        } else if (ag.is_object() && ag.size() == 1 && ag.contains("exempt")) {
          auto c = detail::constraint_from_json(ag["exempt"], where);
          if (!c) return Unexpected{std::move(c).error()};
          args.emplace_back(arg, ArgGate{ArgGateKind::Exempt, std::move(*c)});
        } else if (ag.is_object()) {
          auto c = detail::constraint_from_json(ag, where);
          if (!c) return Unexpected{std::move(c).error()};
          args.emplace_back(arg, ArgGate{ArgGateKind::Match, std::move(*c)});
        } else {
          return bad(fmt::format("{}: expected \"all\", a constraint or {{\"exempt\": constraint}}", where));
        }
      }
      std::sort(args.begin(), args.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      tg.args = std::move(args);
    }
    out.emplace_back(tool, std::move(tg));
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  auto ok = check_gates(out);
  if (!ok) return bad(ok.error().message);
  // What the decoder accepts, exactly (depth and every rule of decode_approval_gates).
  auto round = decode_approval_gates(encode_approval_gates(out));
  if (!round) return bad(round.error().message);
  return out;
}

Result<GateDecision> evaluate_gates(const ApprovalGates& gates, std::string_view tool, const Object& args) {
  const auto it = std::find_if(gates.begin(), gates.end(), [&](const auto& g) { return g.first == tool; });
  if (it == gates.end())
    return GateDecision{false, gates.empty() ? "the warrant has no approval gates"
                                             : fmt::format("no approval gate covers tool '{}'", tool)};
  if (!it->second.args) return GateDecision{true, fmt::format("every call of '{}' needs approval", tool)};
  const Object present = without_nulls(args);
  for (const auto& entry : *it->second.args) {
    const std::string& name = entry.first;  // a named reference: clang 14 cannot capture bindings
    const ArgGate& g = entry.second;
    const auto m = std::find_if(present.begin(), present.end(), [&](const Member& x) { return x.key == name; });
    if (m == present.end())
      return GateDecision{true, fmt::format("argument '{}' is absent, and its gate ({}) then fires", name, describe(g))};
    switch (g.kind) {
      case ArgGateKind::All:
        return GateDecision{true, fmt::format("'{}' needs approval for any value of '{}'", tool, name)};
      case ArgGateKind::Match: {
        TENUO_TRY_ASSIGN(Match r, evaluate(g.constraint, m->value));
        if (r.ok)
          return GateDecision{true, fmt::format("{} = {} matches the gate {}", name, display(m->value),
                                                display(g.constraint))};
        break;
      }
      case ArgGateKind::Exempt: {
        TENUO_TRY_ASSIGN(Match r, evaluate(g.constraint, m->value));
        if (!r.ok)
          return GateDecision{true, fmt::format("{} = {} is outside the exemption {}", name, display(m->value),
                                                display(g.constraint))};
        break;
      }
    }
  }
  return GateDecision{false, fmt::format("no approval gate of '{}' fires for these arguments", tool)};
}

// ---- encodings ----

Bytes encode_approval_payload(const ApprovalPayload& p) {
  Bytes out;
  cbor::write_head(out, 5, p.extensions ? 7 : 6);
  cbor::write_text(out, "version");
  cbor::write_head(out, 0, p.version);
  cbor::write_text(out, "request_hash");
  write_uint_array(out, ByteView(p.request_hash));
  cbor::write_text(out, "nonce");
  write_uint_array(out, ByteView(p.nonce));
  cbor::write_text(out, "external_id");
  cbor::write_text(out, p.external_id);
  cbor::write_text(out, "approved_at");
  cbor::write_head(out, 0, p.approved_at);
  cbor::write_text(out, "expires_at");
  cbor::write_head(out, 0, p.expires_at);
  if (p.extensions) {
    ExtensionMap sorted = *p.extensions;
    std::sort(sorted.begin(), sorted.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
    cbor::write_text(out, "extensions");
    cbor::write_head(out, 5, sorted.size());
    for (const auto& [k, v] : sorted) {
      cbor::write_text(out, k);
      write_uint_array(out, v);
    }
  }
  return out;
}

Result<ApprovalPayload> decode_approval_payload(ByteView bytes) {
  auto root = cbor::decode(bytes, approval_cbor_options());
  if (!root) return bad_payload(root.error().message);
  if (!root->is(Kind::Map)) return bad_payload("expected a map");
  // Version first: a payload of another version is 1704, whatever else it holds.
  const cbor::Value* version = root->find("version");
  if (version == nullptr) return bad_payload("\"version\" is missing");
  const auto v = uint_value(*version);
  if (!v) return bad_payload("\"version\" must be an unsigned integer");
  if (*v != 1)
    return fail(ErrorCode::UnsupportedApprovalVersion, fmt::format("approval payload version {} (expected 1)", *v));
  ApprovalPayload p;
  bool have[6] = {};
  for (const auto& e : root->as_map()) {
    if (!e.key.is(Kind::Text)) return bad_payload("keys must be text");
    const std::string& k = e.key.as_text();
    if (k == "version") {
      have[0] = true;
    } else if (k == "request_hash") {
      auto h = fixed_field<32>(e.value);
      if (!h) return bad_payload("\"request_hash\" must be 32 bytes");
      p.request_hash = *h;
      have[1] = true;
    } else if (k == "nonce") {
      auto n = fixed_field<16>(e.value);
      if (!n) return bad_payload("\"nonce\" must be 16 bytes");
      p.nonce = *n;
      have[2] = true;
    } else if (k == "external_id") {
      if (!e.value.is(Kind::Text)) return bad_payload("\"external_id\" must be text");
      p.external_id = e.value.as_text();
      have[3] = true;
    } else if (k == "approved_at" || k == "expires_at") {
      const auto t = uint_value(e.value);
      if (!t) return bad_payload(fmt::format("\"{}\" must be unsigned seconds", k));
      (k == "approved_at" ? p.approved_at : p.expires_at) = *t;
      have[k == "approved_at" ? 4 : 5] = true;
    } else if (k == "extensions") {
      if (e.value.is(Kind::Null)) continue;
      if (!e.value.is(Kind::Map)) return bad_payload("\"extensions\" must be a map");
      const auto& m = e.value.as_map();
      if (m.size() > kMaxExtensionKeys) return bad_payload(fmt::format("over {} extensions", kMaxExtensionKeys));
      ExtensionMap ext;
      ext.reserve(m.size());
      for (const auto& x : m) {
        if (!x.key.is(Kind::Text)) return bad_payload("extension keys must be text");
        auto b = byte_field(x.value, kMaxExtensionValueBytes);
        if (!b) return bad_payload(fmt::format("extension '{}' must be bytes", x.key.as_text()));
        ext.emplace_back(x.key.as_text(), std::move(*b));
      }
      std::sort(ext.begin(), ext.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
      p.extensions = std::move(ext);
    } else {
      // The reference ignores unknown keys; refused here so that nothing the verifier does not
      // understand rides along in an approval it accepts.
      return bad_payload(fmt::format("unknown key \"{}\"", k));
    }
  }
  static constexpr const char* kNames[6] = {"version", "request_hash", "nonce", "external_id", "approved_at",
                                            "expires_at"};
  for (std::size_t i = 0; i < 6; ++i)
    if (!have[i]) return bad_payload(fmt::format("\"{}\" is missing", kNames[i]));
  return p;
}

Bytes encode_signed_approval(const SignedApproval& a) {
  Bytes out;
  cbor::write_head(out, 5, 4);
  cbor::write_text(out, "approval_version");
  cbor::write_head(out, 0, a.version);
  cbor::write_text(out, "payload");
  cbor::write_bytes(out, a.payload);
  cbor::write_text(out, "approver_key");
  cbor::write_head(out, 4, 2);
  cbor::write_head(out, 0, 1);
  cbor::write_bytes(out, ByteView(a.approver_key.bytes()));
  cbor::write_text(out, "signature");
  cbor::write_head(out, 4, 2);
  cbor::write_head(out, 0, 1);
  cbor::write_bytes(out, ByteView(a.signature));
  return out;
}

Result<SignedApproval> decode_signed_approval(ByteView bytes) {
  if (bytes.size() > kMaxApprovalBytes)
    return bad_approval(fmt::format("{} bytes (limit {})", bytes.size(), kMaxApprovalBytes));
  auto root = cbor::decode(bytes, approval_cbor_options());
  if (!root) return bad_approval(root.error().message);
  if (!root->is(Kind::Map)) return bad_approval("expected a map");
  std::optional<std::uint64_t> version;
  std::optional<Bytes> payload;
  std::optional<std::array<std::uint8_t, 32>> key;
  std::optional<Signature> sig;
  for (const auto& e : root->as_map()) {
    if (!e.key.is(Kind::Text)) return bad_approval("keys must be text");
    const std::string& k = e.key.as_text();
    if (k == "approval_version") {
      version = uint_value(e.value);
      if (!version) return bad_approval("\"approval_version\" must be an unsigned integer");
    } else if (k == "payload") {
      payload = byte_field(e.value, kMaxApprovalBytes);
      if (!payload) return bad_approval("\"payload\" must be bytes");
    } else if (k == "approver_key") {
      key = algorithm_pair<32>(e.value);
      if (!key) return bad_approval("\"approver_key\" must be [1, 32 bytes]");
    } else if (k == "signature") {
      sig = algorithm_pair<64>(e.value);
      if (!sig) return bad_approval("\"signature\" must be [1, 64 bytes]");
    } else {
      return bad_approval(fmt::format("unknown key \"{}\"", k));
    }
  }
  if (!version || !payload || !key || !sig)
    return bad_approval("approval_version, payload, approver_key and signature are all required");
  auto pk = PublicKey::from_bytes(ByteView(*key));
  if (!pk) return bad_approval("approver_key: " + pk.error().message);
  SignedApproval a(*pk);
  a.version = *version;
  a.payload = std::move(*payload);
  a.signature = *sig;
  return a;
}

namespace {

// A carried list holds 1..kMaxApprovalsPerCall approvals: an empty one is meaningless input.
Result<void> check_approval_count(std::size_t n) {
  if (n == 0) return fail(ErrorCode::InvalidInput, "approval: an empty list of approvals");
  if (n > kMaxApprovalsPerCall)
    return fail(ErrorCode::InvalidInput, fmt::format("approval: over {} approvals", kMaxApprovalsPerCall));
  return {};
}

}  // namespace

Result<std::vector<SignedApproval>> parse_approvals(std::string_view text) {
  auto bytes = base64_decode_any(text, kMaxApprovalsPerCall * kMaxApprovalBytes * 2);
  if (!bytes) return fail(ErrorCode::InvalidInput, "approval: not base64: " + bytes.error().message);
  if (bytes->empty()) return fail(ErrorCode::InvalidInput, "approval: empty");
  std::vector<SignedApproval> out;
  const std::uint8_t first = bytes->front();
  if (first == '[') {
    // A JSON array of base64 SignedApprovals (X-Tenuo-Approvals of the SDK HTTP integrations).
    // A CBOR item starting with 0x5b would be a byte string, which no approval is.
    auto j = nlohmann::json::parse(bytes->begin(), bytes->end(), nullptr, false);
    if (j.is_discarded() || !j.is_array())
      return fail(ErrorCode::InvalidInput, "approval: not a JSON array of base64 strings");
    TENUO_TRY(check_approval_count(j.size()));
    for (const auto& item : j) {
      if (!item.is_string()) return fail(ErrorCode::InvalidInput, "approval: a JSON array item is not a string");
      auto inner = base64_decode_any(item.get<std::string>(), kMaxApprovalBytes);
      if (!inner) return fail(ErrorCode::InvalidInput, "approval: not base64: " + inner.error().message);
      TENUO_TRY_ASSIGN(SignedApproval a, decode_signed_approval(*inner));
      out.push_back(std::move(a));
    }
    return out;
  }
  if ((first >> 5) == 4) {
    // A CBOR array of SignedApprovals (the reference HTTP authorizer's form).
    cbor::DecodeOptions o;
    o.max_depth = 9;
    o.max_bytes = kMaxApprovalsPerCall * kMaxApprovalBytes;
    auto arr = cbor::decode(*bytes, o);
    if (!arr) return bad_approval(arr.error().message);
    TENUO_TRY(check_approval_count(arr->as_array().size()));
    // The reader accepts only canonical CBOR, so each element re-encodes to its exact bytes.
    for (const auto& item : arr->as_array()) {
      TENUO_TRY_ASSIGN(SignedApproval a, decode_signed_approval(cbor::encode(item)));
      out.push_back(std::move(a));
    }
    return out;
  }
  TENUO_TRY_ASSIGN(SignedApproval a, decode_signed_approval(*bytes));
  out.push_back(std::move(a));
  return out;
}

std::string approval_text(const SignedApproval& a) {
  return base64_encode(encode_signed_approval(a), Base64Alphabet::Standard, Padding::Yes);
}

Result<std::string> approvals_header_value(std::span<const SignedApproval> approvals) {
  TENUO_TRY(check_approval_count(approvals.size()));
  // Base64 text needs no JSON escaping.
  std::string json = "[";
  for (const auto& a : approvals) {
    if (json.size() > 1) json += ',';
    json += '"' + approval_text(a) + '"';
  }
  json += ']';
  return base64_encode(as_bytes(json), Base64Alphabet::Standard, Padding::Yes);
}

Bytes approval_message(ByteView payload) {
  Bytes m;
  m.reserve(kWarrantDomain.size() + kApprovalContext.size() + 1 + payload.size());
  m.insert(m.end(), kWarrantDomain.begin(), kWarrantDomain.end());
  m.insert(m.end(), kApprovalContext.begin(), kApprovalContext.end());
  m.push_back(0x01);
  m.insert(m.end(), payload.begin(), payload.end());
  return m;
}

SignedApproval sign_approval(const SigningKey& approver, const ApprovalPayload& p) {
  SignedApproval a(approver.public_key());
  a.payload = encode_approval_payload(p);
  a.signature = approver.sign(approval_message(a.payload));
  return a;
}

Sha256Digest approval_request_hash(const Payload& leaf, std::string_view tool, const Object& args) {
  return request_hash(id_text(leaf.id), tool, args, ByteView(leaf.holder.bytes()));
}

Result<ApprovalPayload> make_approval_payload(const Payload& leaf, std::string_view tool, const Object& args,
                                              std::int64_t now, std::uint64_t ttl, std::string external_id) {
  if (now < 0) return fail(ErrorCode::InvalidInput, "the approval time must not be before 1970");
  if (ttl == 0) return fail(ErrorCode::InvalidInput, "an approval needs a TTL of at least one second");
  if (ttl > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max() - now))
    return fail(ErrorCode::InvalidInput, "the approval TTL is too large");
  ApprovalPayload p;
  p.request_hash = approval_request_hash(leaf, tool, args);
  detail::random_bytes(std::span<std::uint8_t>(p.nonce));
  p.external_id = std::move(external_id);
  p.approved_at = static_cast<std::uint64_t>(now);
  p.expires_at = p.approved_at + ttl;
  return p;
}

// ---- verification ----

std::uint32_t approval_threshold(const Payload& leaf) noexcept {
  if (!leaf.required_approvers || leaf.required_approvers->empty()) return 0;
  const auto n = static_cast<std::uint32_t>(leaf.required_approvers->size());
  return leaf.min_approvals ? std::min(*leaf.min_approvals, n) : n;
}

Result<ApprovalPayload> check_approval(const SignedApproval& a, const Sha256Digest& request_hash,
                                       std::span<const PublicKey> approvers, std::int64_t now) {
  return check_one(a, request_hash, approvers, now, nullptr);
}

ApprovalReport evaluate_approvals(const Payload& leaf, std::string_view tool, const Object& args,
                                  std::span<const SignedApproval> approvals, std::int64_t now) {
  ApprovalReport r;
  r.presented = approvals.size();
  auto gates = approval_gates_of(leaf);
  if (!gates) {
    r.error = gates.error();
    return r;
  }
  auto g = evaluate_gates(*gates, tool, args);
  if (!g) {
    r.error = g.error();
    return r;
  }
  r.gate = std::move(*g);
  if (!r.gate.gated) return r;
  r.request_hash = approval_request_hash(leaf, tool, args);
  r.threshold = approval_threshold(leaf);
  const std::span<const PublicKey> approvers =
      leaf.required_approvers ? std::span<const PublicKey>(*leaf.required_approvers) : std::span<const PublicKey>{};
  if (approvers.empty()) {
    // Step 1 (the Authorizer API): a gate without approvers can never be satisfied.
    r.error = Error{ErrorCode::ApprovalInvalid,
                    fmt::format("{}, but the warrant names no required approvers", r.gate.reason)};
    return r;
  }
  // Defensive: validation keeps min_approvals >= 1 whenever approvers are listed.
  const std::uint32_t need = std::max<std::uint32_t>(r.threshold, 1);
  if (approvals.empty()) {
    r.error = Error{ErrorCode::ApprovalRequired,
                    fmt::format("{}: {} of {} approver(s) ({}) must sign request hash {}", r.gate.reason, need,
                                approvers.size(), approver_list(approvers), short_hex(r.request_hash))};
    return r;
  }
  if (approvals.size() > 2 * approvers.size()) {
    r.error = Error{ErrorCode::ApprovalInvalid,
                    fmt::format("{} approvals presented for {} approver(s) (at most {})", approvals.size(),
                                approvers.size(), 2 * approvers.size())};
    return r;
  }
  std::vector<PublicKey> seen;
  for (std::size_t i = 0; i < approvals.size() && r.approved_by.size() < need; ++i) {
    auto c = check_one(approvals[i], r.request_hash, approvers, now, &seen);
    if (c)
      r.approved_by.push_back(approvals[i].approver_key.fingerprint());
    else
      r.rejected.push_back(ApprovalRejection{i, approvals[i].approver_key.fingerprint(), c.error()});
  }
  if (r.approved_by.size() >= need) return r;
  if (approvers.size() == 1 && approvals.size() == 1 && r.rejected.size() == 1) {
    const Error& why = r.rejected[0].error;
    r.error = Error{ErrorCode::ApprovalInvalid,
                    fmt::format("the approval is rejected: {} [{} {}]", why.message, static_cast<int>(why.code),
                                name(why.code))};
    return r;
  }
  std::string summary;
  for (const auto& x : r.rejected)
    summary += fmt::format("; approval #{} by {}: {} [{} {}]", x.index + 1, x.approver, x.error.message,
                           static_cast<int>(x.error.code), name(x.error.code));
  r.error = Error{ErrorCode::InsufficientApprovals,
                  fmt::format("{}: {} of {} required approval(s) verified{}", r.gate.reason, r.approved_by.size(),
                              need, summary)};
  return r;
}

}  // namespace tenuo
