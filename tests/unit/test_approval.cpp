// Multi-signature approvals (WIRE.md §5.6, §9): the gate map's bytes and evaluation, the
// SignedApproval / ApprovalPayload bytes, and every §9.3 outcome reached by correctly signed
// approvals that are wrong in exactly one way.
#include "warrant_fixtures.hpp"

#include <tenuo/approval.hpp>
#include <tenuo/arguments.hpp>
#include <tenuo/authorize.hpp>
#include <tenuo/authorizer.hpp>
#include <tenuo/bound_warrant.hpp>
#include <tenuo/builder.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/explain.hpp>
#include <tenuo/guard.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/verify.hpp>
#include <tenuo/warrant_scope.hpp>
#include <tenuo/warrant_use.hpp>

#include <doctest/doctest.h>

#include <ctime>
#include <optional>
#include <string>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

constexpr std::int64_t kNow = 1800000000;

struct Keys {
  SigningKey root = key_of(0x45);
  SigningKey holder = key_of(0x41);
  SigningKey ap1 = key_of(0x42);
  SigningKey ap2 = key_of(0x43);
  SigningKey stranger = key_of(0x44);
};
const Keys& keys() {
  static const Keys k;
  return k;
}

Object args(std::string_view json) {
  auto r = parse_arguments(json);
  REQUIRE(r);
  return *r;
}

std::string hex(ByteView b) { return hex_encode(b); }

ApprovalGates gates_json(std::string_view json) {
  auto g = approval_gates_from_json_text(json);
  REQUIRE_MESSAGE(g, (g ? std::string() : g.error().message));
  return *g;
}

// A leaf (not signed: evaluate_approvals needs only the payload) gated by `gates`.
Payload leaf_with(const ApprovalGates& gates, std::vector<PublicKey> approvers,
                  std::optional<std::uint32_t> min = std::nullopt) {
  Payload p(keys().holder.public_key(), keys().root.public_key());
  p.id = id_of(7);
  p.tools = {{"deploy", ConstraintSet{}}, {"read_file", ConstraintSet{}}};
  p.issued_at = static_cast<std::uint64_t>(kNow - 60);
  p.expires_at = static_cast<std::uint64_t>(kNow + 3600);
  p.extensions = {{std::string(kApprovalGatesExtension), encode_approval_gates(gates)}};
  if (!approvers.empty()) p.required_approvers = std::move(approvers);
  p.min_approvals = min;
  return p;
}

std::vector<PublicKey> both() { return {keys().ap1.public_key(), keys().ap2.public_key()}; }

// A correctly signed approval by `k` of (tool, args) under `leaf`.
SignedApproval approve(const SigningKey& k, const Payload& leaf, std::string_view tool, const Object& a,
                       std::int64_t approved_at = kNow - 10, std::int64_t expires_at = kNow + 300) {
  ApprovalPayload p;
  p.request_hash = approval_request_hash(leaf, tool, a);
  p.nonce.fill(0x5a);
  p.external_id = "ticket-1";
  p.approved_at = static_cast<std::uint64_t>(approved_at);
  p.expires_at = static_cast<std::uint64_t>(expires_at);
  return sign_approval(k, p);
}

// `payload` bytes signed by `k` as they are.
SignedApproval sign_bytes(const SigningKey& k, Bytes payload) {
  SignedApproval a(k.public_key());
  a.payload = std::move(payload);
  a.signature = k.sign(approval_message(a.payload));
  return a;
}

std::optional<ErrorCode> code_of(const Result<ApprovalPayload>& r) {
  return r ? std::nullopt : std::optional<ErrorCode>(r.error().code);
}
std::optional<ErrorCode> code_of(const ApprovalReport& r) {
  return r.error ? std::optional<ErrorCode>(r.error->code) : std::nullopt;
}

const char* const kGatesJson =
    R"({"transfer": {"to": {"exempt": {"type": "one_of", "values": ["alice", "bob"]}}, "amount": "all"},)"
    R"( "read_file": {"path": {"type": "pattern", "pattern": "/secret/*"}}, "deploy": null})";
// The same map, encoded by Python's cbor2 from {"deploy": {"args": None}, "read_file": {"args":
// {"path": [2, {"pattern": "/secret/*"}]}}, "transfer": {"args": {"amount": "all", "to":
// {"exempt": [4, {"values": ["alice", "bob"]}]}}}}.
const char* const kGatesHex =
    "a3666465706c6f79a16461726773f669726561645f66696c65a16461726773a164706174688202a1677061747465726e69"
    "2f7365637265742f2a687472616e73666572a16461726773a266616d6f756e7463616c6c62746fa1666578656d70748204"
    "a16676616c7565738265616c69636563626f62";

}  // namespace

TEST_SUITE("tenuo::approval") {

TEST_CASE("gate map: bytes as the reference encodes them, and back") {
  const ApprovalGates g = gates_json(kGatesJson);
  CHECK(hex(encode_approval_gates(g)) == kGatesHex);
  auto back = decode_approval_gates(unhex(kGatesHex));
  REQUIRE(back);
  CHECK(*back == g);
  CHECK(hex(encode_approval_gates(*back)) == kGatesHex);
  // JSON round trip (the form inspect prints and mint takes).
  CHECK(gates_json(to_json_text(g)) == g);
  REQUIRE(g.size() == 3);
  CHECK(!g[0].second.args.has_value());                      // deploy: the whole tool
  CHECK((*g[2].second.args)[0].second.kind == ArgGateKind::All);
  CHECK((*g[2].second.args)[1].second.kind == ArgGateKind::Exempt);
  // "args" absent reads as null: the whole tool is gated.
  auto absent = decode_approval_gates(unhex("a1666465706c6f79a0"));
  REQUIRE(absent);
  CHECK(!(*absent)[0].second.args.has_value());
}

TEST_CASE("gate map: anything else fails closed") {
  auto cv = [](std::string_view arg_gate_hex) {
    // {"t": {"args": {"a": <gate>}}}
    return unhex(std::string("a16174a16461726773a16161") + std::string(arg_gate_hex));
  };
  const std::vector<std::pair<std::string, Bytes>> rows = {
      {"exempt Wildcard", cv("a1666578656d70748210f6")},
      {"exempt Any", cv("a1666578656d7074820da16b636f6e73747261696e747380")},
      {"exempt Not", cv("a1666578656d7074820ea16a636f6e73747261696e748210f6")},
      {"exempt Cel", cv("a1666578656d7074820fa16a65787072657373696f6e6474727565")},
      {"exempt Unknown", cv("a1666578656d707482186340")},
      {"exempt beside another key", cv("a2666578656d70748210f66178f6")},
      {"text other than all", cv("64736f6d65")},
      {"integer gate", cv("01")},
      {"unknown key beside args", unhex("a16174a26461726773f66178f6")},
      {"args neither null nor map", unhex("a16174a1646172677301")},
      {"tool gate not a map", unhex("a16174f6")},
      {"tools out of byte order", unhex("a2617aa06161a0")},
      {"arguments out of byte order", unhex("a16174a16461726773a2617a63616c6c616163616c6c")},
      {"non-shortest head", unhex("b801666465706c6f79a16461726773f6")},
      {"trailing bytes", unhex("a1666465706c6f79a16461726773f600")},
      {"not a map", unhex("80")},
      {"empty", Bytes{}},
  };
  for (const auto& [what, bytes] : rows) {
    CAPTURE(what);
    auto g = decode_approval_gates(bytes);
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::MalformedCbor);
  }
  // The same rules for the JSON form.
  for (const char* bad : {R"({"t": {"a": {"exempt": {"type": "wildcard"}}}})", R"({"t": {"a": "some"}})",
                          R"({"t": 1})", R"([])", R"({"t": {"a": 5}})"}) {
    CAPTURE(bad);
    auto g = approval_gates_from_json_text(bad);
    REQUIRE_FALSE(g);
    CHECK(g.error().code == ErrorCode::InvalidInput);
  }
}

TEST_CASE("gate evaluation follows §5.6") {
  const ApprovalGates g = gates_json(kGatesJson);
  struct Row {
    const char* tool;
    const char* args;
    bool gated;
  };
  const Row rows[] = {
      {"deploy", "{}", true},                                  // "args": null: every call
      {"deploy", R"({"env": "dev"})", true},
      {"read_file", R"({"path": "/secret/k"})", true},          // constraint gate matches
      {"read_file", R"({"path": "/public/k"})", false},         // ... does not match
      {"read_file", "{}", true},                                // gated argument absent
      {"read_file", R"({"path": null})", true},                 // null counts as absent
      {"read_file", R"({"other": "/secret/k"})", true},         // only "path" is looked at
      {"transfer", R"({"amount": 1, "to": "alice"})", true},    // "all" fires first
      {"transfer", R"({"to": "alice"})", true},                 // "amount" absent
      {"list_files", R"({"path": "/secret/k"})", false},        // tool not in the map
  };
  for (const auto& r : rows) {
    CAPTURE(r.tool);
    CAPTURE(r.args);
    auto d = evaluate_gates(g, r.tool, args(r.args));
    REQUIRE(d);
    CHECK(d->gated == r.gated);
  }
  // Exempt: fires only outside the exemption.
  const ApprovalGates ex = gates_json(R"({"pay": {"to": {"exempt": {"type": "one_of", "values": ["alice"]}}}})");
  CHECK(evaluate_gates(ex, "pay", args(R"({"to": "alice"})"))->gated == false);
  CHECK(evaluate_gates(ex, "pay", args(R"({"to": "mallory"})"))->gated == true);
  CHECK(evaluate_gates(ex, "pay", args(R"({"to": 7})"))->gated == true);
  CHECK(evaluate_gates(ex, "pay", args("{}"))->gated == true);
  // Two argument gates: the first one that fires decides; none firing = not gated.
  const ApprovalGates two = gates_json(
      R"({"pay": {"a": {"type": "exact", "value": 1}, "b": {"type": "exact", "value": 2}}})");
  CHECK(evaluate_gates(two, "pay", args(R"({"a": 0, "b": 2})"))->gated == true);
  CHECK(evaluate_gates(two, "pay", args(R"({"a": 0, "b": 0})"))->gated == false);
  // An empty argument map never fires; an empty gate map gates nothing.
  CHECK(evaluate_gates(gates_json(R"({"pay": {}})"), "pay", args("{}"))->gated == false);
  CHECK(evaluate_gates(ApprovalGates{}, "pay", args("{}"))->gated == false);
  // Evaluation errors propagate (an invalid glob fails at match time).
  auto err = evaluate_gates(gates_json(R"({"pay": {"a": {"type": "pattern", "pattern": "x**"}}})"), "pay",
                            args(R"({"a": "xyz"})"));
  REQUIRE_FALSE(err);
  CHECK(err.error().code == ErrorCode::ConstraintViolation);
}

TEST_CASE("ApprovalPayload and SignedApproval bytes") {
  ApprovalPayload p;
  for (std::size_t i = 0; i < 32; ++i) p.request_hash[i] = static_cast<std::uint8_t>(i);
  for (std::size_t i = 0; i < 16; ++i) p.nonce[i] = static_cast<std::uint8_t>(100 + i);
  p.external_id = "t-1";
  p.approved_at = 1800000000;
  p.expires_at = 1800000300;
  // Expected bytes from Python's cbor2 over the same dict (struct order, uint-arrays).
  const std::string kPayload =
      "a66776657273696f6e016c726571756573745f686173689820000102030405060708090a0b0c0d0e0f10111213141516"
      "1718181819181a181b181c181d181e181f656e6f6e636590186418651866186718681869186a186b186c186d186e186f"
      "18701871187218736b65787465726e616c5f696463742d316b617070726f7665645f61741a6b49d2006a657870697265"
      "735f61741a6b49d32c";
  CHECK(hex(encode_approval_payload(p)) == kPayload);
  p.extensions = ExtensionMap{{"acme.note", {0x63, 0x61, 0x62, 0x63}}};
  CHECK(hex(encode_approval_payload(p)) ==
        "a7" + kPayload.substr(2) + "6a657874656e73696f6e73a16961636d652e6e6f7465841863186118621863");

  auto back = decode_approval_payload(encode_approval_payload(p));
  REQUIRE(back);
  CHECK(back->request_hash == p.request_hash);
  CHECK(back->nonce == p.nonce);
  CHECK(back->external_id == "t-1");
  CHECK(back->approved_at == p.approved_at);
  CHECK(back->expires_at == p.expires_at);
  CHECK(back->extensions == p.extensions);

  // Byte strings for the fixed arrays (A.24's payload style) and keys in another order decode
  // to the same payload.
  cbor::Map m;
  m.push_back({cbor::Value::text("nonce"), cbor::Value::bytes(ByteView(p.nonce))});
  m.push_back({cbor::Value::text("version"), cbor::Value::integer(1)});
  m.push_back({cbor::Value::text("request_hash"), cbor::Value::bytes(ByteView(p.request_hash))});
  m.push_back({cbor::Value::text("external_id"), cbor::Value::text("t-1")});
  m.push_back({cbor::Value::text("approved_at"), cbor::Value::integer(1800000000)});
  m.push_back({cbor::Value::text("expires_at"), cbor::Value::integer(1800000300)});
  auto lenient = decode_approval_payload(cbor::encode(cbor::Value::map(m)));
  REQUIRE(lenient);
  CHECK(lenient->request_hash == p.request_hash);
  CHECK(lenient->nonce == p.nonce);
  CHECK_FALSE(lenient->extensions.has_value());

  const SignedApproval a = sign_approval(keys().ap1, p);
  const Bytes env = encode_signed_approval(a);
  const std::string payload_hex = hex(a.payload);
  CHECK(hex(env) == "a4" "70" + hex(as_bytes("approval_version")) + "01" "67" + hex(as_bytes("payload")) + "58" +
                        hex(Bytes{static_cast<std::uint8_t>(a.payload.size())}) + payload_hex + "6c" +
                        hex(as_bytes("approver_key")) + "82015820" + keys().ap1.public_key().hex() + "69" +
                        hex(as_bytes("signature")) + "82015840" + hex(ByteView(a.signature)));
  auto dec = decode_signed_approval(env);
  REQUIRE(dec);
  CHECK(dec->version == 1);
  CHECK(dec->payload == a.payload);
  CHECK(dec->approver_key == a.approver_key);
  CHECK(dec->signature == a.signature);
  CHECK(encode_signed_approval(*dec) == env);
}

TEST_CASE("decoding refuses malformed approvals with the §17 codes") {
  const SignedApproval a = approve(keys().ap1, leaf_with({}, both()), "deploy", args("{}"));
  const cbor::Value env = *cbor::decode(encode_signed_approval(a));
  auto with = [&](std::string_view key, cbor::Value v) {
    cbor::Map m = env.as_map();
    for (auto& e : m)
      if (e.key.as_text() == key) e.value = v;
    return cbor::encode(cbor::Value::map(m));
  };
  auto extra = env.as_map();
  extra.push_back({cbor::Value::text("note"), cbor::Value::text("x")});
  auto missing = env.as_map();
  missing.pop_back();
  const std::vector<std::pair<std::string, Bytes>> envelopes = {
      {"unknown key", cbor::encode(cbor::Value::map(extra))},
      {"missing signature", cbor::encode(cbor::Value::map(missing))},
      {"key algorithm 2", with("approver_key", cbor::Value::array({cbor::Value::integer(2),
                                                                   cbor::Value::bytes(ByteView(a.approver_key.bytes()))}))},
      {"short signature", with("signature", cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(Bytes(63))}))},
      {"payload as text", with("payload", cbor::Value::text("x"))},
      {"not a map", unhex("80")},
      {"over 8 KiB", Bytes(kMaxApprovalBytes + 1, 0xa0)},
  };
  for (const auto& [what, bytes] : envelopes) {
    CAPTURE(what);
    auto r = decode_signed_approval(bytes);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ApprovalInvalid);
  }
  // A uint-array for the key bytes is accepted, as by the reference.
  CHECK(decode_signed_approval(with("approver_key", cbor::Value::array({cbor::Value::integer(1),
                                                                         cbor::Value::uint_array(ByteView(a.approver_key.bytes()))}))));

  const cbor::Value pay = *cbor::decode(a.payload);
  auto pay_with = [&](std::string_view key, std::optional<cbor::Value> v) {
    cbor::Map m;
    for (const auto& e : pay.as_map())
      if (e.key.as_text() != key) m.push_back(e);
      else if (v) m.push_back({e.key, *v});
    return cbor::encode(cbor::Value::map(m));
  };
  CHECK(decode_approval_payload(pay_with("version", cbor::Value::integer(2))).error().code ==
        ErrorCode::UnsupportedApprovalVersion);
  // Version first: a version-2 payload is 1704 even when the rest is not understood.
  CHECK(decode_approval_payload(unhex("a26776657273696f6e02636e6577f5")).error().code ==
        ErrorCode::UnsupportedApprovalVersion);
  const std::vector<std::pair<std::string, Bytes>> payloads = {
      {"no nonce", pay_with("nonce", std::nullopt)},
      {"no version", pay_with("version", std::nullopt)},
      {"31-byte hash", pay_with("request_hash", cbor::Value::bytes(Bytes(31)))},
      {"hash item above 255", pay_with("request_hash", cbor::Value::array(cbor::Array(32, cbor::Value::integer(256))))},
      {"text times", pay_with("approved_at", cbor::Value::text("now"))},
      {"negative time", pay_with("expires_at", cbor::Value::integer(-1))},
      {"unknown key", unhex(hex(a.payload).replace(0, 2, "a7") + "636e6577f5")},
      {"not canonical", unhex("b806" + hex(a.payload).substr(2))},
  };
  for (const auto& [what, bytes] : payloads) {
    CAPTURE(what);
    auto r = decode_approval_payload(bytes);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::ApprovalPayloadInvalid);
  }
}

TEST_CASE("signed bytes: tenuo-warrant-v1 || tenuo-approval-v1 || 01 || payload") {
  const Bytes payload = {0xa0, 0x01};
  CHECK(hex(approval_message(payload)) ==
        hex(as_bytes("tenuo-warrant-v1")) + hex(as_bytes("tenuo-approval-v1")) + "01a001");
  const SignedApproval a = approve(keys().ap1, leaf_with({}, both()), "deploy", args("{}"));
  CHECK(keys().ap1.public_key().verify(approval_message(a.payload), ByteView(a.signature)));
  Bytes without_domain(kApprovalContext.begin(), kApprovalContext.end());
  without_domain.push_back(0x01);
  without_domain.insert(without_domain.end(), a.payload.begin(), a.payload.end());
  CHECK_FALSE(keys().ap1.public_key().verify(without_domain, ByteView(a.signature)));
}

TEST_CASE("check_approval: each wrong approval gets its own code") {
  const Payload leaf = leaf_with(gates_json(R"({"deploy": null})"), both(), 2);
  const Object call = args(R"({"env": "prod"})");
  const Sha256Digest h = approval_request_hash(leaf, "deploy", call);
  const std::vector<PublicKey> approvers = both();
  auto check = [&](const SignedApproval& a) { return code_of(check_approval(a, h, approvers, kNow)); };
  const auto& k = keys();

  CHECK(check(approve(k.ap1, leaf, "deploy", call)) == std::nullopt);
  CHECK(check(approve(k.ap2, leaf, "deploy", call)) == std::nullopt);
  CHECK(check(approve(k.stranger, leaf, "deploy", call)) == ErrorCode::ApproverNotAuthorized);
  // Expiry: expires_at + 30 < now.
  CHECK(check(approve(k.ap1, leaf, "deploy", call, kNow - 400, kNow - 10)) == std::nullopt);
  CHECK(check(approve(k.ap1, leaf, "deploy", call, kNow - 400, kNow - 30)) == std::nullopt);
  CHECK(check(approve(k.ap1, leaf, "deploy", call, kNow - 400, kNow - 31)) == ErrorCode::ApprovalExpired);
  // approved_at <= now + 30, expires_at > approved_at.
  CHECK(check(approve(k.ap1, leaf, "deploy", call, kNow + 30, kNow + 300)) == std::nullopt);
  CHECK(check(approve(k.ap1, leaf, "deploy", call, kNow + 31, kNow + 300)) == ErrorCode::ApprovalPayloadInvalid);
  CHECK(check(approve(k.ap1, leaf, "deploy", call, kNow, kNow)) == ErrorCode::ApprovalPayloadInvalid);
  // request_hash of another call: arguments, a null added, tool, holder, warrant.
  CHECK(check(approve(k.ap1, leaf, "deploy", args(R"({"env": "dev"})"))) == ErrorCode::ApprovalRequestHashMismatch);
  CHECK(check(approve(k.ap1, leaf, "deploy", args(R"({"env": "prod", "x": null})"))) ==
        ErrorCode::ApprovalRequestHashMismatch);
  CHECK(check(approve(k.ap1, leaf, "read_file", call)) == ErrorCode::ApprovalRequestHashMismatch);
  Payload other_holder = leaf;
  other_holder.holder = k.stranger.public_key();
  CHECK(check(approve(k.ap1, other_holder, "deploy", call)) == ErrorCode::ApprovalRequestHashMismatch);
  Payload other_id = leaf;
  other_id.id = id_of(8);
  CHECK(check(approve(k.ap1, other_id, "deploy", call)) == ErrorCode::ApprovalRequestHashMismatch);
  // Tampering breaks the signature.
  SignedApproval bad_sig = approve(k.ap1, leaf, "deploy", call);
  bad_sig.signature[5] ^= 0x01;
  CHECK(check(bad_sig) == ErrorCode::ApprovalInvalid);
  SignedApproval bad_payload = approve(k.ap1, leaf, "deploy", call);
  bad_payload.payload.back() ^= 0x01;  // expires_at, not re-signed
  CHECK(check(bad_payload) == ErrorCode::ApprovalInvalid);
  SignedApproval other_signer = approve(k.ap1, leaf, "deploy", call);
  other_signer.approver_key = k.ap2.public_key();  // claims to be ap2
  CHECK(check(other_signer) == ErrorCode::ApprovalInvalid);
  // Versions.
  SignedApproval v2 = approve(k.ap1, leaf, "deploy", call);
  v2.version = 2;
  CHECK(check(v2) == ErrorCode::UnsupportedApprovalVersion);
  ApprovalPayload p2 = *decode_approval_payload(approve(k.ap1, leaf, "deploy", call).payload);
  p2.version = 2;
  CHECK(check(sign_approval(k.ap1, p2)) == ErrorCode::UnsupportedApprovalVersion);
  CHECK(check(sign_bytes(k.ap1, {0xa0})) == ErrorCode::ApprovalPayloadInvalid);
  // The reference's order: time before approver, approver before expiry, expiry before hash.
  CHECK(check(approve(k.stranger, leaf, "deploy", call, kNow + 60, kNow + 300)) == ErrorCode::ApprovalPayloadInvalid);
  CHECK(check(approve(k.stranger, leaf, "deploy", call, kNow - 400, kNow - 100)) == ErrorCode::ApproverNotAuthorized);
  CHECK(check(approve(k.ap1, leaf, "read_file", call, kNow - 400, kNow - 100)) == ErrorCode::ApprovalExpired);
}

TEST_CASE("threshold: min(min_approvals, approvers), else all of them") {
  CHECK(approval_threshold(leaf_with({}, both())) == 2);
  CHECK(approval_threshold(leaf_with({}, both(), 1)) == 1);
  CHECK(approval_threshold(leaf_with({}, both(), 2)) == 2);
  CHECK(approval_threshold(leaf_with({}, both(), 5)) == 2);
  CHECK(approval_threshold(leaf_with({}, {})) == 0);
}

TEST_CASE("§9.3 over the approvals of a call") {
  const auto& k = keys();
  const ApprovalGates gates = gates_json(R"({"deploy": {"env": {"type": "exact", "value": "prod"}}})");
  const Payload leaf = leaf_with(gates, both(), 2);
  const Object prod = args(R"({"env": "prod"})");
  const SignedApproval a1 = approve(k.ap1, leaf, "deploy", prod);
  const SignedApproval a2 = approve(k.ap2, leaf, "deploy", prod);
  const SignedApproval a1_expired = approve(k.ap1, leaf, "deploy", prod, kNow - 400, kNow - 100);
  auto run = [&](const Payload& l, const Object& a, std::vector<SignedApproval> v) {
    return evaluate_approvals(l, "deploy", a, v, kNow);
  };

  SUBCASE("threshold met") {
    const ApprovalReport r = run(leaf, prod, {a1, a2});
    CHECK(code_of(r) == std::nullopt);
    CHECK(r.gate.gated);
    CHECK(r.threshold == 2);
    CHECK(r.approved_by == std::vector<std::string>{k.ap1.public_key().fingerprint(), k.ap2.public_key().fingerprint()});
    CHECK(r.request_hash == approval_request_hash(leaf, "deploy", prod));
    CHECK(code_of(run(leaf, prod, {a2, a1})) == std::nullopt);
  }
  SUBCASE("no gate fires: approvals are not looked at") {
    const ApprovalReport r = run(leaf, args(R"({"env": "dev"})"), {a1_expired});
    CHECK(code_of(r) == std::nullopt);
    CHECK_FALSE(r.gate.gated);
    CHECK(r.approved_by.empty());
    CHECK(code_of(evaluate_approvals(leaf, "read_file", prod, {}, kNow)) == std::nullopt);
  }
  SUBCASE("none presented: 1707") {
    const ApprovalReport r = run(leaf, prod, {});
    CHECK(code_of(r) == ErrorCode::ApprovalRequired);
    CHECK(r.threshold == 2);
  }
  SUBCASE("threshold not met: 1700 with every rejection") {
    CHECK(code_of(run(leaf, prod, {a1})) == ErrorCode::InsufficientApprovals);
    const ApprovalReport r = run(leaf, prod, {a1, a1_expired});
    CHECK(code_of(r) == ErrorCode::InsufficientApprovals);
    REQUIRE(r.rejected.size() == 1);
    CHECK(r.rejected[0].index == 1);
    CHECK(r.rejected[0].error.code == ErrorCode::ApprovalInvalid);  // ap1 twice
    const ApprovalReport s = run(leaf, prod, {a1_expired, approve(k.stranger, leaf, "deploy", prod)});
    CHECK(code_of(s) == ErrorCode::InsufficientApprovals);
    REQUIRE(s.rejected.size() == 2);
    CHECK(s.rejected[0].error.code == ErrorCode::ApprovalExpired);
    CHECK(s.rejected[1].error.code == ErrorCode::ApproverNotAuthorized);
  }
  SUBCASE("duplicate approver counts once") {
    CHECK(code_of(run(leaf, prod, {a1, a1})) == ErrorCode::InsufficientApprovals);
    CHECK(code_of(run(leaf, prod, {a1, approve(k.ap1, leaf, "deploy", prod, kNow - 5)})) ==
          ErrorCode::InsufficientApprovals);
  }
  SUBCASE("more than twice the approvers: 1701") {
    CHECK(code_of(run(leaf, prod, {a1, a2, a1, a2})) == std::nullopt);  // stops at the threshold
    CHECK(code_of(run(leaf, prod, {a1, a2, a1, a2, a1})) == ErrorCode::ApprovalInvalid);
  }
  SUBCASE("min_approvals 1: the first valid approval suffices, the rest are not examined") {
    const Payload one = leaf_with(gates, both(), 1);
    const ApprovalReport r = run(one, prod, {approve(k.ap2, one, "deploy", prod), a1_expired});
    CHECK(code_of(r) == std::nullopt);
    CHECK(r.rejected.empty());
    CHECK(code_of(run(one, prod, {approve(k.ap1, one, "deploy", prod, kNow - 400, kNow - 100)})) ==
          ErrorCode::InsufficientApprovals);  // 1 of 2 approvers: the summary, 1700
  }
  SUBCASE("1-of-1: the single approval's own reason, as 1701") {
    const Payload single = leaf_with(gates, {k.ap1.public_key()});
    const ApprovalReport r = run(single, prod, {approve(k.ap1, single, "deploy", prod, kNow - 400, kNow - 100)});
    CHECK(code_of(r) == ErrorCode::ApprovalInvalid);
    REQUIRE(r.rejected.size() == 1);
    CHECK(r.rejected[0].error.code == ErrorCode::ApprovalExpired);
    CHECK(code_of(run(single, prod, {approve(k.ap1, single, "deploy", prod)})) == std::nullopt);
  }
  SUBCASE("a gate without approvers can never be satisfied: 1701") {
    CHECK(code_of(run(leaf_with(gates, {}), prod, {a1})) == ErrorCode::ApprovalInvalid);
    CHECK(code_of(run(leaf_with(gates, {}), prod, {})) == ErrorCode::ApprovalInvalid);
  }
  SUBCASE("gate errors") {
    Payload broken = leaf;
    broken.extensions = {{std::string(kApprovalGatesExtension), {0x61, 0x78}}};
    CHECK(code_of(run(broken, prod, {a1, a2})) == ErrorCode::InvalidPayloadStructure);
    const Payload bad_glob =
        leaf_with(gates_json(R"({"deploy": {"env": {"type": "pattern", "pattern": "x**"}}})"), both());
    CHECK(code_of(run(bad_glob, prod, {a1, a2})) == ErrorCode::ConstraintViolation);
  }
}

// A root warrant for keys().holder: "deploy" gated when env is "prod" (both approvers, 2 of 2),
// "read_file" free. Issued a minute before `now`.
Warrant gated_deploy_warrant(std::int64_t now = kNow) {
  const auto& k = keys();
  MintRequest req;
  req.now = now - 60;
  req.ttl = 3600;
  req.holder = k.holder.public_key();
  req.tools = {{"deploy", set_of("env", c::Wildcard{})}, {"read_file", ConstraintSet{}}};
  req.required_approvers = both();
  req.min_approvals = 2;
  req.extensions = {{std::string(kApprovalGatesExtension),
                     encode_approval_gates(gates_json(R"({"deploy": {"env": {"type": "exact", "value": "prod"}}})"))}};
  auto w = mint(req, k.root);
  REQUIRE(w);
  return *w;
}

TEST_CASE("authorize: step 8 after PoP and constraints") {
  const auto& k = keys();
  const Warrant w = gated_deploy_warrant();
  auto vc = verify_chain({w}, TrustedRoots{{k.root.public_key()}}, VerifyOptions{.now = kNow});
  REQUIRE(vc);
  const Object prod = args(R"({"env": "prod"})");
  const SignedApproval a1 = approve(k.ap1, w.payload(), "deploy", prod);
  const SignedApproval a2 = approve(k.ap2, w.payload(), "deploy", prod);
  auto call = [&](std::string tool, const Object& a, std::vector<SignedApproval> v) {
    return ToolCall{tool, a, pop_sign(k.holder, w.id(), tool, a, kNow), std::move(v)};
  };
  auto code = [](const Result<Authorization>& r) {
    return r ? std::nullopt : std::optional<ErrorCode>(r.error().code);
  };

  auto ok = authorize(*vc, call("deploy", prod, {a1, a2}));
  REQUIRE(ok);
  CHECK(ok->gated);
  CHECK(ok->approved_by.size() == 2);
  CHECK(code(authorize(*vc, call("deploy", prod, {a1}))) == ErrorCode::InsufficientApprovals);
  CHECK(code(authorize(*vc, call("deploy", prod, {}))) == ErrorCode::ApprovalRequired);
  auto free = authorize(*vc, call("deploy", args(R"({"env": "dev"})"), {}));
  REQUIRE(free);
  CHECK_FALSE(free->gated);
  CHECK(authorize(*vc, call("read_file", args("{}"), {})));
  // Earlier steps still decide first: no PoP is 1100, a constraint violation 1501.
  CHECK(code(authorize(*vc, ToolCall{"deploy", prod, std::nullopt, {a1, a2}})) == ErrorCode::SignatureInvalid);
  CHECK(code(authorize(*vc, call("deploy", args(R"({"env": "prod", "x": 1})"), {a1, a2}))) ==
        ErrorCode::ConstraintViolation);

  // Through the Authorizer, with the approvals in X-Tenuo-Approvals (both carried forms).
  AuthorizerOptions ao;
  ao.roots.keys = {k.root.public_key()};
  auto az = Authorizer::create(ao);
  REQUIRE(az);
  const Signature pop = pop_sign(k.holder, w.id(), "deploy", prod, kNow);
  Headers h{{std::string(kWarrantHeader), to_text(std::vector<Warrant>{w}, TextFormat::Base64)},
            {std::string(kPopHeader), base64_encode(ByteView(pop), Base64Alphabet::Standard, Padding::Yes)}};
  CHECK((*az)->check_headers(h, "deploy", prod, kNow).code == ErrorCode::ApprovalRequired);
  const std::string json_array = "[\"" + approval_text(a1) + "\",\"" + approval_text(a2) + "\"]";
  h[std::string(kApprovalsHeader)] = base64_encode(as_bytes(json_array), Base64Alphabet::Standard, Padding::Yes);
  CHECK((*az)->check_headers(h, "deploy", prod, kNow).allowed);
  Bytes cbor_array;
  cbor::write_head(cbor_array, 4, 2);
  for (const auto* a : {&a1, &a2}) {
    const Bytes e = encode_signed_approval(*a);
    cbor_array.insert(cbor_array.end(), e.begin(), e.end());
  }
  h[std::string(kApprovalsHeader)] = base64_encode(cbor_array, Base64Alphabet::UrlSafe, Padding::No);
  CHECK((*az)->check_headers(h, "deploy", prod, kNow).allowed);
  h[std::string(kApprovalsHeader)] = "not base64!";
  CHECK((*az)->check_headers(h, "deploy", prod, kNow).code == ErrorCode::ApprovalInvalid);
  CHECK((*az)->check(std::span<const Warrant>(&w, 1), call("deploy", prod, {a2, a1}), kNow).allowed);
}

TEST_CASE("headers() and BoundWarrant::headers() carry a gated call's approvals") {
  const auto& k = keys();
  const Warrant w = gated_deploy_warrant();
  const Object prod = args(R"({"env": "prod"})");
  const SignedApproval a1 = approve(k.ap1, w.payload(), "deploy", prod);
  const SignedApproval a2 = approve(k.ap2, w.payload(), "deploy", prod);
  const std::vector<SignedApproval> both_approvals{a1, a2};
  AuthorizerOptions ao;
  ao.roots.keys = {k.root.public_key()};
  auto az = Authorizer::create(ao);
  REQUIRE(az);

  auto h = headers(w, k.holder, "deploy", prod, both_approvals, kNow);
  REQUIRE(h);
  REQUIRE(h->count(std::string(kApprovalsHeader)) == 1);
  // The SDK HTTP integrations' form: standard base64 of a JSON array of approval texts.
  auto json = base64_decode(h->at(std::string(kApprovalsHeader)), Base64Alphabet::Standard, Padding::Yes);
  REQUIRE(json);
  CHECK(std::string(as_chars(*json)) == "[\"" + approval_text(a1) + "\",\"" + approval_text(a2) + "\"]");
  auto back = parse_approvals(h->at(std::string(kApprovalsHeader)));
  REQUIRE(back);
  REQUIRE(back->size() == 2);
  CHECK(encode_signed_approval((*back)[1]) == encode_signed_approval(a2));
  CHECK((*az)->check_headers(*h, "deploy", prod, kNow).allowed);

  // Without approvals: no header, and the gate denies.
  auto bare = headers(w, k.holder, "deploy", prod, {}, kNow);
  REQUIRE(bare);
  CHECK(bare->count(std::string(kApprovalsHeader)) == 0);
  CHECK(*bare == headers(w, k.holder, "deploy", prod, kNow));
  CHECK((*az)->check_headers(*bare, "deploy", prod, kNow).code == ErrorCode::ApprovalRequired);
  // One of two: the threshold is not met.
  auto one = headers(w, k.holder, "deploy", prod, std::vector<SignedApproval>{a1}, kNow);
  REQUIRE(one);
  CHECK((*az)->check_headers(*one, "deploy", prod, kNow).code == ErrorCode::InsufficientApprovals);

  auto bound = w.bind(k.holder);
  REQUIRE(bound);
  auto bh = bound->headers("deploy", prod, both_approvals, kNow);
  REQUIRE(bh);
  CHECK((*az)->check_headers(*bh, "deploy", prod, kNow).allowed);

  // Limits: no empty value, at most kMaxApprovalsPerCall.
  CHECK(approvals_header_value({}).error().code == ErrorCode::InvalidInput);
  const std::vector<SignedApproval> too_many(kMaxApprovalsPerCall + 1, a1);
  CHECK(approvals_header_value(too_many).error().code == ErrorCode::InvalidInput);
  CHECK(headers(w, k.holder, "deploy", prod, too_many, kNow).error().code == ErrorCode::InvalidInput);
  const std::vector<SignedApproval> most(kMaxApprovalsPerCall, a1);
  auto most_value = approvals_header_value(most);
  REQUIRE(most_value);
  CHECK(parse_approvals(*most_value)->size() == kMaxApprovalsPerCall);
}

TEST_CASE("guard: a gated call proceeds with its approvals, and is refused without them") {
  const auto& k = keys();
  // Guarded calls run on the system clock.
  const auto now = static_cast<std::int64_t>(std::time(nullptr));
  const Warrant w = gated_deploy_warrant(now);
  const Object prod = args(R"({"env": "prod"})");
  const std::vector<SignedApproval> approvals{approve(k.ap1, w.payload(), "deploy", prod, now - 10, now + 300),
                                              approve(k.ap2, w.payload(), "deploy", prod, now - 10, now + 300)};
  std::vector<AuditRecord> records;
  auto cfg = Config::create({.mode = EnforcementMode::Enforce,
                             .trusted_roots = {k.root.public_key()},
                             .audit_sink = [&records](const AuditRecord& r) { records.push_back(r); }});
  REQUIRE(cfg);
  int calls = 0;
  auto deploy = guard(*cfg, "deploy", [&calls](const Object&) { return ++calls; });
  WarrantScope scope(std::vector<Warrant>{w}, k.holder);
  REQUIRE(scope.ok());

  auto refused = deploy(prod);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ErrorCode::ApprovalRequired);
  auto short_one = deploy(prod, std::span<const SignedApproval>(approvals.data(), 1));
  REQUIRE_FALSE(short_one);
  CHECK(short_one.error().code == ErrorCode::InsufficientApprovals);
  auto ran = deploy(prod, approvals);
  REQUIRE(ran);
  CHECK(*ran == 1);
  CHECK(calls == 1);
  REQUIRE(records.size() == 3);
  CHECK(records[0].decision == AuditDecision::Deny);
  CHECK(records[2].decision == AuditDecision::Allow);
  // The same decision through check_guarded_call at an explicit time.
  CHECK(check_guarded_call(*cfg, "deploy", prod, approvals, now).decision.allowed);
  CHECK(check_guarded_call(*cfg, "deploy", prod, now).decision.code == ErrorCode::ApprovalRequired);
}

TEST_CASE("diagnose: the approvals check and the approve fix") {
  const auto& k = keys();
  MintRequest req;
  req.now = kNow - 60;
  req.holder = k.holder.public_key();
  req.tools = {{"deploy", ConstraintSet{}}};
  req.required_approvers = both();
  req.extensions = {{std::string(kApprovalGatesExtension), encode_approval_gates(gates_json(R"({"deploy": null})"))}};
  auto w = mint(req, k.root);
  REQUIRE(w);
  const std::vector<Warrant> chain{*w};
  const TrustedRoots roots{{k.root.public_key()}};
  const Object a = args("{}");
  auto run = [&](std::vector<SignedApproval> v) {
    DiagnoseCall call{"deploy", a, pop_sign(k.holder, w->id(), "deploy", a, kNow), std::move(v)};
    return diagnose(chain, &roots, DiagnoseOptions{.now = kNow}, &call);
  };
  auto approvals_check = [](const Diagnosis& d) {
    std::vector<std::pair<CheckStatus, std::optional<ErrorCode>>> out;
    for (const auto& c : d.checks)
      if (c.check == "approvals") out.emplace_back(c.status, c.code);
    return out;
  };
  const Diagnosis none = run({});
  CHECK_FALSE(none.allowed);
  CHECK(none.first_code == ErrorCode::ApprovalRequired);
  CHECK(approvals_check(none) == std::vector<std::pair<CheckStatus, std::optional<ErrorCode>>>{
                                     {CheckStatus::Fail, ErrorCode::ApprovalRequired}});
  REQUIRE(none.fixes.size() == 1);
  CHECK(none.fixes[0].kind == FixKind::Approve);
  CHECK(none.fixes[0].command.starts_with("tenuo approve --key APPROVER_KEY --warrant "));
  const Diagnosis one = run({approve(k.ap1, w->payload(), "deploy", a)});
  CHECK(one.first_code == ErrorCode::InsufficientApprovals);
  const Diagnosis both_ok = run({approve(k.ap1, w->payload(), "deploy", a), approve(k.ap2, w->payload(), "deploy", a)});
  CHECK(both_ok.allowed);
  CHECK(approvals_check(both_ok) == std::vector<std::pair<CheckStatus, std::optional<ErrorCode>>>{
                                        {CheckStatus::Pass, std::nullopt}});
  CHECK(both_ok.fixes.empty());
}

TEST_CASE("parse_approvals reads every carried form") {
  const Payload leaf = leaf_with({}, both());
  const SignedApproval a = approve(keys().ap1, leaf, "deploy", args("{}"));
  const Bytes env = encode_signed_approval(a);
  for (const std::string& text :
       {approval_text(a), base64_encode(env, Base64Alphabet::UrlSafe, Padding::No),
        "  " + base64_encode(env, Base64Alphabet::UrlSafe, Padding::Yes) + "\n"}) {
    auto r = parse_approvals(text);
    REQUIRE(r);
    REQUIRE(r->size() == 1);
    CHECK(encode_signed_approval((*r)[0]) == env);
  }
  auto two = parse_approvals(base64_encode(
      as_bytes("[\"" + approval_text(a) + "\", \"" + approval_text(a) + "\"]"), Base64Alphabet::Standard, Padding::Yes));
  REQUIRE(two);
  CHECK(two->size() == 2);
  CHECK(parse_approvals("").error().code == ErrorCode::InvalidInput);
  CHECK(parse_approvals("%%%").error().code == ErrorCode::InvalidInput);
  CHECK(parse_approvals(base64_encode(as_bytes("[1]"), Base64Alphabet::Standard, Padding::Yes)).error().code ==
        ErrorCode::InvalidInput);
  CHECK(parse_approvals(base64_encode(Bytes{0xa1, 0x61, 0x78, 0x01}, Base64Alphabet::Standard, Padding::Yes))
            .error()
            .code == ErrorCode::ApprovalInvalid);
  // An empty list (JSON [] or CBOR 0x80) carries no approval: refused, never an empty success.
  // "g\r\rA\n" is the fuzz finding: whitespace-tolerant base64 of the single byte 0x80.
  for (const std::string& text : {std::string("g\r\rA\n"), std::string("gA=="),
                                  base64_encode(as_bytes("[]"), Base64Alphabet::Standard, Padding::Yes),
                                  base64_encode(as_bytes("[ ]"), Base64Alphabet::Standard, Padding::Yes)}) {
    auto r = parse_approvals(text);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::InvalidInput);
  }
}

TEST_CASE("make_approval_payload: fresh nonces, the call's request hash") {
  const Payload leaf = leaf_with({}, both());
  auto p = make_approval_payload(leaf, "deploy", args(R"({"env": "prod"})"), kNow, 300, "ticket-9");
  auto q = make_approval_payload(leaf, "deploy", args(R"({"env": "prod"})"), kNow, 300, "ticket-9");
  REQUIRE(p);
  REQUIRE(q);
  CHECK(p->nonce != q->nonce);
  CHECK(p->request_hash == approval_request_hash(leaf, "deploy", args(R"({"env": "prod"})")));
  CHECK(p->approved_at == static_cast<std::uint64_t>(kNow));
  CHECK(p->expires_at == static_cast<std::uint64_t>(kNow + 300));
  CHECK(p->external_id == "ticket-9");
  CHECK(make_approval_payload(leaf, "deploy", {}, kNow, 0, "").error().code == ErrorCode::InvalidInput);
  CHECK(make_approval_payload(leaf, "deploy", {}, -1, 60, "").error().code == ErrorCode::InvalidInput);
}

}  // TEST_SUITE
