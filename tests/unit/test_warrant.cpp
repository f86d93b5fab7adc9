// Warrant model and codec: the A.1 vector byte for byte, round trips of every field and
// constraint type, decode rules and limits on hand-built, correctly signed payloads.
#include "python_util.hpp"
#include "warrant_fixtures.hpp"

#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/limits.hpp>
#include <tenuo/warrant.hpp>

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

using namespace tenuo;
using namespace tenuo::test;

namespace {

Bytes tree_bytes(const cbor::Value& v) { return cbor::encode(v); }

// Signs the edited payload tree with the A.1 issuer key (01×32) and decodes it.
Result<Warrant> decode_edited(const cbor::Value& tree, std::optional<std::int64_t> now = {}) {
  const Bytes env = envelope_for(tree_bytes(tree), key_of(1));
  return decode_warrant(env, now);
}

void expect_code(const Result<Warrant>& r, ErrorCode code) {
  REQUIRE_FALSE(r.has_value());
  CHECK_MESSAGE(r.error().code == code, r.error().message);
}

// One constraint of every protocol type, with non-default options, plus Unknown ids.
std::vector<std::pair<std::string, Constraint>> every_constraint() {
  c::UrlSafe us;
  us.schemes = {"https"};
  us.allow_domains = std::vector<std::string>{"*.example.com", "api.example.org"};
  us.deny_domains = std::vector<std::string>{"evil.example.com"};
  us.allow_ports = std::vector<std::uint16_t>{443, 8443};
  us.block_internal_tlds = true;
  us.block_reserved = false;
  return {
      {"a01_exact", c::Exact{Value::object({{"k", Value{List{Value{1}, Value{2.5}, Value{}}}}})}},
      {"a02_pattern", c::Pattern{"/data/*.csv"}},
      {"a03_range", c::Range{-1.5, 1e300, false, true}},
      {"a04_range_open", c::Range{std::nullopt, 100.0, true, false}},
      {"a05_one_of", c::OneOf{{Value{"a"}, Value{1}, Value{1.0}, Value{true}}}},
      {"a06_regex", c::Regex{"^[a-z]+$"}},
      {"a07_not_one_of", c::NotOneOf{{Value{"root"}, Value{0}}}},
      {"a08_cidr", c::Cidr{"192.168.0.0/16"}},
      {"a09_cidr6", c::Cidr{"2001:db8::/32"}},
      {"a10_url_pattern", c::UrlPattern{"https://*.example.com/api/*"}},
      {"a11_contains", c::Contains{{Value{"read"}}}},
      {"a12_subset", c::Subset{{Value{"a"}, Value{"b"}}}},
      {"a13_all", c::All{{Constraint{c::Pattern{"/a/*"}}, Constraint{c::Subpath{"/a", true, true}}}}},
      {"a14_any", c::Any{{Constraint{c::Exact{Value{"x"}}}, Constraint{c::Wildcard{}}}}},
      {"a15_not", make_not(c::OneOf{{Value{"rm"}}})},
      {"a16_cel", c::Cel{"size(value) < 10", std::string("true")}},
      {"a17_wildcard", c::Wildcard{}},
      {"a18_subpath", c::Subpath{"/srv/data", false, false}},
      {"a19_url_safe", us},
      {"a20_url_safe_default", c::UrlSafe{}},
      {"a21_shlex", c::Shlex{{"git", "ls"}}},
      {"a22_unknown_0", c::Unknown{0, {}}},
      {"a23_unknown_6", c::Unknown{6, {1, 2, 3}}},
      {"a24_unknown_200", c::Unknown{200, {0xff}}},
  };
}

// An issuer warrant at depth 1 that carries every optional payload field 9-17.
Payload full_issuer_payload() {
  Payload p(key_of(3).public_key(), key_of(2).public_key());
  p.id = id_of(0xabcdef);
  p.type = WarrantType::Issuer;
  p.issued_at = kT0 + 5;
  p.expires_at = kT0 + 3600;
  p.max_depth = 7;
  p.depth = 1;
  Sha256Digest h{};
  for (std::size_t i = 0; i < h.size(); ++i) h[i] = static_cast<std::uint8_t>(i * 7 + 3);
  h[0] = 0x00;
  h[1] = 0x17;  // largest inline item
  h[2] = 0x18;  // smallest two-byte item
  h[3] = 0xff;
  p.parent_hash = h;
  p.extensions = {{"acme.note", {0x63, 0x61, 0x62, 0x63}}, {"tenuo.approval_gates", {0xa0}}};
  p.session_id = "sess-\xc3\xa9t\xc3\xa9";  // raw UTF-8, not CBOR
  p.agent_id = "agent-7";
  p.issuable_tools = std::vector<std::string>{"read_file", "send_mail"};
  p.max_issue_depth = 5;
  ConstraintSet bounds;
  bounds.set("path", c::Subpath{"/data", true, true});
  bounds.set("size", c::Range{std::nullopt, 1024.0, true, true});
  p.constraint_bounds = bounds;
  auto a = key_of(4).public_key(), b = key_of(5).public_key();
  p.required_approvers = std::vector<PublicKey>{std::min(a, b), std::max(a, b)};
  p.min_approvals = 1;
  p.clearance = 30;
  return p;
}

// Builds a warrant whose envelope is exactly `target` bytes by sizing one Pattern string.
Bytes warrant_of_size(std::size_t target, const SigningKey& k, std::uint32_t id_n) {
  auto make = [&](std::size_t len) {
    Payload p = a1_payload();
    p.issuer = k.public_key();
    p.id = id_of(id_n);
    p.tools = {{"t", set_of("p", c::Pattern{std::string(len, 'x')})}};
    return sign_unchecked(p, k);
  };
  const std::size_t probe = 1000;
  const std::size_t base = make(probe).size();
  REQUIRE(target > base);
  Bytes env = make(probe + (target - base));
  REQUIRE(env.size() == target);
  return env;
}

}  // namespace

TEST_SUITE("tenuo::warrant") {

TEST_CASE("A.1: payload, signature, envelope and text forms are the WIRE.md §19 bytes") {
  const Payload p = a1_payload();
  const Bytes payload = encode_payload(p);
  CHECK(hex_encode(payload) == trimmed(vector_text("a1/payload.hex")));
  CHECK(payload.size() == 147);

  const SigningKey issuer = key_of(1);
  CHECK(issuer.public_key().hex() == "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c");
  CHECK(p.holder.hex() == "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");
  const Bytes msg = warrant_signing_message(payload);
  CHECK(msg.size() == 164);
  CHECK(hex_encode(ByteView(msg).first(17)) == "74656e756f2d77617272616e742d763101");
  CHECK(hex_encode(ByteView(issuer.sign(msg))) == trimmed(vector_text("a1/signature.hex")));

  const Warrant w = signed_warrant(p, issuer);
  CHECK(hex_encode(w.payload_bytes()) == trimmed(vector_text("a1/payload.hex")));
  CHECK(hex_encode(ByteView(w.signature())) == trimmed(vector_text("a1/signature.hex")));
  CHECK(hex_encode(w.envelope_bytes()) == trimmed(vector_text("a1/envelope.hex")));
  CHECK(w.envelope_bytes().size() == 219);
  CHECK(hex_encode(ByteView(w.payload_hash())) == trimmed(vector_text("a1/payload_sha256.hex")));
  const std::vector<Warrant> one{w};
  CHECK(to_text(one, TextFormat::Base64) == trimmed(vector_text("a1/warrant.b64")));
  CHECK(to_text(one, TextFormat::Base64).size() == 292);
  CHECK(to_text(one, TextFormat::Pem) == vector_text("a1/warrant.pem"));
  CHECK(w.id_text() == "tnu_wrt_019471f8000070008000000000000001");
}

TEST_CASE("A.1 decodes to its fields and re-encodes identically") {
  const Bytes env = unhex(vector_text("a1/envelope.hex"));
  const Warrant w = decoded(env);
  const Payload& p = w.payload();
  const Payload want = a1_payload();
  CHECK(p.version == 1);
  CHECK(p.id == want.id);
  CHECK(p.type == WarrantType::Execution);
  REQUIRE(p.tools.size() == 1);
  CHECK(p.tools[0].first == "read_file");
  CHECK(p.tools[0].second == want.tools[0].second);
  CHECK(p.holder == want.holder);
  CHECK(p.issuer == want.issuer);
  CHECK(p.issued_at == 1704067200);
  CHECK(p.expires_at == 1704070800);
  CHECK(p.max_depth == 3);
  CHECK(p.depth == 0);
  CHECK_FALSE(p.parent_hash.has_value());
  CHECK(p.extensions.empty());
  CHECK_FALSE(p.session_id.has_value());
  CHECK_FALSE(p.clearance.has_value());
  CHECK(encode_payload(p) == Bytes(w.payload_bytes().begin(), w.payload_bytes().end()));
  CHECK(envelope_bytes(w) == env);

  // Every text form decodes to the same envelope.
  for (const std::string& text : {vector_text("a1/warrant.b64"), vector_text("a1/warrant.pem")}) {
    auto r = read_warrants(as_bytes(text));
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 1);
    CHECK(envelope_bytes(r->front()) == env);
  }
}

TEST_CASE("warrant ids: prefixed, bare and dashed forms") {
  const WarrantId id = id_of(1);
  CHECK(id_text(id) == "tnu_wrt_019471f8000070008000000000000001");
  CHECK(id_hex(id) == "019471f8000070008000000000000001");
  for (const char* text : {"tnu_wrt_019471f8000070008000000000000001", "tnu_wrt_019471F8000070008000000000000001",
                           "019471f8000070008000000000000001", "019471f8-0000-7000-8000-000000000001"}) {
    CAPTURE(text);
    auto r = parse_warrant_id(text);
    REQUIRE(r.has_value());
    CHECK(*r == id);
  }
  for (const char* text : {"", "tnu_wrt_", "tnu_wrt_019471f800007000800000000000000", "019471f8000070008000000000000001aa",
                           "019471f8-0000-7000-8000-00000000001", "019471f8-00007000-8000-0000000000001",
                           "zz9471f8000070008000000000000001", "tnu_wrt_019471f8-0000-7000-8000-000000000001"}) {
    CAPTURE(text);
    auto r = parse_warrant_id(text);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::InvalidInput);
  }
  const WarrantId fresh = new_warrant_id(1704067200000);
  CHECK(id_hex(fresh).substr(0, 12) == "018cc251f400");  // 48-bit ms timestamp
  CHECK((fresh[6] >> 4) == 7);                         // UUID version 7
  CHECK((fresh[8] & 0xc0) == 0x80);                    // RFC 4122 variant
  CHECK(new_warrant_id(1704067200000) != fresh);       // random tail
}

TEST_CASE("every constraint type survives encode -> decode -> encode inside a signed warrant") {
  Payload p = a1_payload();
  ConstraintSet all;
  for (auto& [arg, c] : every_constraint()) all.set(arg, c);
  ConstraintSet open;
  open.allow_unknown = true;
  p.tools = {{"*", ConstraintSet{}}, {"every_type", all}, {"open", open}};
  for (const auto& [arg, c] : every_constraint()) p.tools.emplace_back("t_" + arg, set_of("x", c));
  std::sort(p.tools.begin(), p.tools.end(), [](const auto& a, const auto& b) { return a.first < b.first; });

  const Warrant w = signed_warrant(p, key_of(1));
  const Warrant back = decoded(w.envelope_bytes());
  CHECK(back.payload().tools == p.tools);
  CHECK(encode_payload(back.payload()) == Bytes(w.payload_bytes().begin(), w.payload_bytes().end()));
  CHECK(envelope_bytes(back) == envelope_bytes(w));
  // Each constraint's bytes in the payload are exactly its codec bytes.
  const cbor::Value tree = payload_tree(w.payload_bytes());
  const cbor::Value* tools = tree.find_int(3);
  REQUIRE(tools != nullptr);
  const cbor::Value* every = tools->find("every_type");
  REQUIRE(every != nullptr);
  const cbor::Value* cons = every->find("constraints");
  REQUIRE(cons != nullptr);
  REQUIRE(cons->as_map().size() == every_constraint().size());
  for (const auto& [arg, c] : every_constraint()) {
    CAPTURE(arg);
    const cbor::Value* v = cons->find(arg);
    REQUIRE(v != nullptr);
    CHECK(cbor::encode(*v) == cbor::encode(to_cbor(c)));
  }
  CHECK(tools->find("open")->find("allow_unknown") != nullptr);
}

TEST_CASE("every optional payload field (keys 9-17) round-trips with the reference encodings") {
  const Payload p = full_issuer_payload();
  const Warrant w = signed_warrant(p, key_of(2));
  const Warrant back = decoded(w.envelope_bytes());
  const Payload& q = back.payload();
  CHECK(q.type == WarrantType::Issuer);
  CHECK(q.parent_hash == p.parent_hash);
  CHECK(q.extensions == p.extensions);
  CHECK(q.session_id == p.session_id);
  CHECK(q.agent_id == p.agent_id);
  CHECK(q.issuable_tools == p.issuable_tools);
  CHECK(q.max_issue_depth == p.max_issue_depth);
  CHECK(q.constraint_bounds == p.constraint_bounds);
  CHECK(q.required_approvers == p.required_approvers);
  CHECK(q.min_approvals == p.min_approvals);
  CHECK(q.clearance == p.clearance);
  CHECK(q.depth == 1);
  CHECK(encode_payload(q) == Bytes(w.payload_bytes().begin(), w.payload_bytes().end()));
  CHECK(envelope_bytes(back) == envelope_bytes(w));

  // Wire shapes: ascending keys 0-11,13-18 (no 12), uint-arrays for key 9 and extension values,
  // session/agent ids as raw UTF-8, extension keys in byte order, keys as [1, bytes(32)].
  const cbor::Value tree = payload_tree(w.payload_bytes());
  std::vector<std::int64_t> keys;
  for (const auto& e : tree.as_map()) keys.push_back(e.key.as_int());
  CHECK(keys == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18});
  CHECK(tree.find_int(3)->as_map().empty());
  const Bytes payload(w.payload_bytes().begin(), w.payload_bytes().end());
  CHECK(hex_encode(payload).find("09982000171818") != std::string::npos);  // 9: 98 20, 00, 17, 18 18
  const cbor::Value* ext = tree.find_int(10);
  REQUIRE(ext != nullptr);
  std::vector<std::string> ext_keys;
  for (const auto& e : ext->as_map()) {
    ext_keys.push_back(e.key.as_text());
    CHECK(e.value.is(cbor::Kind::Array));
  }
  CHECK(ext_keys == std::vector<std::string>{"acme.note", "tenuo.agent_id", "tenuo.approval_gates", "tenuo.session_id"});
  CHECK(cbor::encode(*ext->find("tenuo.session_id")) == cbor::encode(cbor::Value::uint_array(as_bytes(*p.session_id))));
  CHECK(cbor::encode(*ext->find("acme.note")) == unhex("84 1863 1861 1862 1863"));
  CHECK(cbor::encode(*tree.find_int(11)) == unhex("82 69 726561645f66696c65 69 73656e645f6d61696c"));
  CHECK(cbor::encode(*tree.find_int(13)) == unhex("05"));
  CHECK(cbor::encode(*tree.find_int(14)) == cbor::encode(to_cbor(*p.constraint_bounds)));
  CHECK(tree.find_int(15)->as_array().size() == 2);
  CHECK(cbor::encode(tree.find_int(15)->as_array()[0]).size() == 36);
  CHECK(cbor::encode(*tree.find_int(16)) == unhex("01"));
  CHECK(cbor::encode(*tree.find_int(17)) == unhex("181e"));
  CHECK(cbor::encode(*tree.find_int(18)) == unhex("01"));
  CHECK(q.extension("tenuo.session_id") == Bytes(p.session_id->begin(), p.session_id->end()));
}

TEST_CASE("an independent decoder (cbor2) reads the envelope and payload as the reference shapes") {
  if (!has_cbor2()) {
    MESSAGE("skipped the cbor2 cross-check: /usr/bin/python3 has no cbor2 (scripts/deps.sh --test installs it)");
    return;
  }
  const Warrant w = signed_warrant(full_issuer_payload(), key_of(2));
  const std::string script =
      "import cbor2,sys\n"
      "env = cbor2.loads(bytes.fromhex(sys.stdin.read().strip()))\n"
      "assert isinstance(env, list) and len(env) == 3 and env[0] == 1, env\n"
      "assert isinstance(env[1], bytes) and env[2][0] == 1 and len(env[2][1]) == 64\n"
      "p = cbor2.loads(env[1])\n"
      "assert list(p.keys()) == [0,1,2,3,4,5,6,7,8,9,10,11,13,14,15,16,17,18], list(p.keys())\n"
      "print(p[0], p[1].hex(), p[2], p[3], p[4][1].hex()[:8], p[5][1].hex()[:8], p[6], p[7], p[8])\n"
      "print(bytes(p[9]).hex())\n"
      "print(sorted(p[10].keys()) == list(p[10].keys()), bytes(p[10][\"tenuo.session_id\"]).decode())\n"
      "print(p[11], p[13], p[14], len(p[15]), p[16], p[17], p[18])\n";
  const std::string out = run_python_with_input(script, hex_encode(w.envelope_bytes()));
  const Payload& p = w.payload();
  const std::string want =
      "1 019471f8000070008000000000abcdef 1 {} " + p.holder.hex().substr(0, 8) + " " +
      p.issuer.hex().substr(0, 8) + " 1704067205 1704070800 7\n" + hex_encode(ByteView(*p.parent_hash)) +
      "\nTrue sess-\xc3\xa9t\xc3\xa9\n"
      "['read_file', 'send_mail'] 5 {'constraints': {'path': [17, {'root': '/data', 'case_sensitive': True, "
      "'allow_equal': True}], 'size': [3, {'min': None, 'max': 1024.0, 'min_inclusive': True, "
      "'max_inclusive': True}]}} 2 1 30 1\n";
  CHECK(out == want);
}

TEST_CASE("optional fields are omitted when absent; tools and depth are always emitted") {
  Payload p = a1_payload();
  p.tools.clear();
  p.constraint_bounds = ConstraintSet{};  // empty bounds are not emitted
  const cbor::Value tree = payload_tree(encode_payload(p));
  std::vector<std::int64_t> keys;
  for (const auto& e : tree.as_map()) keys.push_back(e.key.as_int());
  CHECK(keys == std::vector<std::int64_t>{0, 1, 2, 3, 4, 5, 6, 7, 8, 18});
  CHECK(cbor::encode(*tree.find_int(3)) == unhex("a0"));
  CHECK(cbor::encode(*tree.find_int(18)) == unhex("00"));
  // Integer widths: shortest heads.
  p.issued_at = 23;
  p.expires_at = 0x1'0000'0000;
  p.max_depth = 255;
  p.depth = 24;
  const std::string hex = hex_encode(encode_payload(p));
  CHECK(hex.find("0617071b0000000100000000" "0818ff" "121818") != std::string::npos);
}

TEST_CASE("decoding checks the issuer's signature over the exact payload bytes") {
  const Bytes env = unhex(vector_text("a1/envelope.hex"));
  // Every single-byte change inside the signed payload or the signature is refused.
  // (Offsets: 4 header bytes, then 147 payload bytes, then 4 + 64 signature bytes.)
  for (std::size_t i = 4; i < env.size(); ++i) {
    if (i >= 4 + 147 && i < 4 + 147 + 4) continue;  // signature array header: shape errors
    Bytes t = env;
    t[i] ^= 0x01;
    CAPTURE(i);
    CHECK_FALSE(decode_warrant(t).has_value());
  }
  // A payload signed by someone other than its issuer field: SignatureInvalid.
  const Payload p = a1_payload();
  expect_code(decode_warrant(sign_unchecked(p, key_of(9))), ErrorCode::SignatureInvalid);
  // Signed with the right key over a different preimage (envelope version byte 02): refused.
  {
    const Bytes payload = encode_payload(p);
    Bytes msg = warrant_signing_message(payload);
    msg[16] = 0x02;
    const Signature sig = key_of(1).sign(msg);
    const Bytes forged = cbor::encode(cbor::Value::array(
        {cbor::Value::integer(1), cbor::Value::bytes(ByteView(payload)),
         cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(sig))})}));
    expect_code(decode_warrant(forged), ErrorCode::SignatureInvalid);
    // ... and without the domain string at all.
    const Signature bare = key_of(1).sign(payload);
    const Bytes forged2 = cbor::encode(cbor::Value::array(
        {cbor::Value::integer(1), cbor::Value::bytes(ByteView(payload)),
         cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(ByteView(bare))})}));
    expect_code(decode_warrant(forged2), ErrorCode::SignatureInvalid);
  }
  // A correctly signed payload whose issuer is not a valid key: MalformedCbor.
  cbor::Value tree = payload_tree(encode_payload(p));
  set_key(tree, 5, cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(Bytes(32, 0))}));
  expect_code(decode_edited(tree), ErrorCode::MalformedCbor);
}


TEST_CASE("envelope shape errors are MalformedCbor (1202)") {
  const Bytes payload = unhex(vector_text("a1/payload.hex"));
  const Bytes sig = unhex(vector_text("a1/signature.hex"));
  auto env = [&](cbor::Value version, cbor::Value body, cbor::Value signature) {
    return cbor::encode(cbor::Value::array({std::move(version), std::move(body), std::move(signature)}));
  };
  auto sig_of = [](std::int64_t alg, Bytes b) {
    return cbor::Value::array({cbor::Value::integer(alg), cbor::Value::bytes(std::move(b))});
  };
  const Bytes good = env(cbor::Value::integer(1), cbor::Value::bytes(payload), sig_of(1, sig));
  CHECK(good == unhex(vector_text("a1/envelope.hex")));
  CHECK(decode_warrant(good).has_value());

  std::vector<std::pair<std::string, Bytes>> bad = {
      {"envelope version 2", env(cbor::Value::integer(2), cbor::Value::bytes(payload), sig_of(1, sig))},
      {"envelope version 0", env(cbor::Value::integer(0), cbor::Value::bytes(payload), sig_of(1, sig))},
      {"payload as text", env(cbor::Value::integer(1), cbor::Value::text(std::string(as_chars(payload))), sig_of(1, sig))},
      {"payload as uint-array", env(cbor::Value::integer(1), cbor::Value::uint_array(payload), sig_of(1, sig))},
      {"signature algorithm 2", env(cbor::Value::integer(1), cbor::Value::bytes(payload), sig_of(2, sig))},
      {"signature of 63 bytes", env(cbor::Value::integer(1), cbor::Value::bytes(payload), sig_of(1, Bytes(sig.begin(), sig.end() - 1)))},
      {"signature as uint-array", env(cbor::Value::integer(1), cbor::Value::bytes(payload),
                                      cbor::Value::array({cbor::Value::integer(1), cbor::Value::uint_array(sig)}))},
      {"two elements", cbor::encode(cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(payload)}))},
      {"a map", cbor::encode(cbor::Value::map({}))},
      {"empty input", Bytes{}},
  };
  Bytes trailing = good;
  trailing.push_back(0x00);
  bad.emplace_back("trailing byte", trailing);
  Bytes tagged{0xd8, 0x18};
  tagged.insert(tagged.end(), good.begin(), good.end());
  bad.emplace_back("tagged envelope", tagged);
  Bytes indefinite = good;
  indefinite[0] = 0x9f;
  indefinite.push_back(0xff);
  bad.emplace_back("indefinite-length envelope", indefinite);
  Bytes long_head = good;
  long_head[2] = 0x59;  // payload length 0x93 written with a 2-byte head
  long_head.insert(long_head.begin() + 3, 0x00);
  bad.emplace_back("non-shortest payload length", long_head);
  for (const auto& [name, bytes] : bad) {
    CAPTURE(name);
    expect_code(decode_warrant(bytes), ErrorCode::MalformedCbor);
  }
}

TEST_CASE("payload decode rules (WIRE.md §4.3) on correctly signed payloads") {
  const cbor::Value base = payload_tree(unhex(vector_text("a1/payload.hex")));
  REQUIRE(decode_edited(base).has_value());
  auto edited = [&](auto&& edit) {
    cbor::Value t = base;
    edit(t);
    return t;
  };
  using V = cbor::Value;
  // Payload version other than 1: InvalidPayloadStructure (1201).
  expect_code(decode_edited(edited([](V& t) { set_key(t, 0, V::integer(2)); })), ErrorCode::InvalidPayloadStructure);
  expect_code(decode_edited(edited([](V& t) { set_key(t, 0, V::integer(0)); })), ErrorCode::InvalidPayloadStructure);

  struct Case {
    std::string name;
    std::function<void(V&)> edit;
  };
  const std::vector<Case> malformed = {
      {"retired key 12", [](V& t) { set_key(t, 12, V::integer(1)); }},
      {"unknown key 19", [](V& t) { set_key(t, 19, V::integer(0)); }},
      {"key 255", [](V& t) { set_key(t, 255, V::integer(0)); }},
      {"text key", [](V& t) { t.as_map().push_back({V::text("x"), V::integer(0)}); }},
      {"negative key", [](V& t) { t.as_map().insert(t.as_map().begin(), {V::integer(-1), V::integer(0)}); }},
      {"keys out of order", [](V& t) { std::swap(t.as_map()[2], t.as_map()[3]); }},
      {"missing version", [](V& t) { drop_key(t, 0); }},
      {"missing id", [](V& t) { drop_key(t, 1); }},
      {"missing type", [](V& t) { drop_key(t, 2); }},
      {"missing tools", [](V& t) { drop_key(t, 3); }},
      {"missing holder", [](V& t) { drop_key(t, 4); }},
      {"missing issued_at", [](V& t) { drop_key(t, 6); }},
      {"missing expires_at", [](V& t) { drop_key(t, 7); }},
      {"missing max_depth", [](V& t) { drop_key(t, 8); }},
      {"missing depth (18)", [](V& t) { drop_key(t, 18); }},
      {"id of 15 bytes", [](V& t) { set_key(t, 1, V::bytes(Bytes(15, 1))); }},
      {"id as uint-array", [](V& t) { set_key(t, 1, V::uint_array(Bytes(16, 1))); }},
      {"warrant type 2", [](V& t) { set_key(t, 2, V::integer(2)); }},
      {"warrant type 256", [](V& t) { set_key(t, 2, V::integer(256)); }},
      {"tools as array", [](V& t) { set_key(t, 3, V::array({})); }},
      {"tools out of byte order",
       [](V& t) {
         const V set = cbor::decode(unhex("a16b636f6e73747261696e7473a0")).value();
         set_key(t, 3, V::map({{V::text("b"), set}, {V::text("a"), set}}));
       }},
      {"holder of 31 bytes", [](V& t) { set_key(t, 4, V::array({V::integer(1), V::bytes(Bytes(31, 1))})); }},
      {"holder algorithm 2",
       [](V& t) { set_key(t, 4, V::array({V::integer(2), V::bytes(ByteView(key_of(2).public_key().bytes()))})); }},
      {"holder is a small-order point", [](V& t) { set_key(t, 4, V::array({V::integer(1), V::bytes(Bytes(32, 0))})); }},
      {"issued_at as float", [](V& t) { set_key(t, 6, V::floating(1704067200.0)); }},
      {"issued_at negative", [](V& t) { set_key(t, 6, V::integer(-1)); }},
      {"max_depth 256", [](V& t) { set_key(t, 8, V::integer(256)); }},
      {"clearance 256", [](V& t) { set_key(t, 17, V::integer(256)); }},
      {"depth above u32", [](V& t) { set_key(t, 18, V::integer(std::int64_t{1} << 32)); }},
      {"parent_hash of 31", [](V& t) { set_key(t, 9, V::uint_array(Bytes(31, 1))); }},
      {"parent_hash of 33", [](V& t) { set_key(t, 9, V::uint_array(Bytes(33, 1))); }},
      {"parent_hash item 256",
       [](V& t) {
         cbor::Array a(32, V::integer(1));
         a[5] = V::integer(256);
         set_key(t, 9, V::array(std::move(a)));
       }},
      // Stricter than the reference (which also takes a byte string): re-encoding must be exact.
      {"parent_hash as a byte string", [](V& t) { set_key(t, 9, V::bytes(Bytes(32, 1))); }},
      {"extensions empty map", [](V& t) { set_key(t, 10, V::map({})); }},
      {"extension value as bytes", [](V& t) { set_key(t, 10, V::map({{V::text("a"), V::bytes(Bytes{1})}})); }},
      {"extension keys out of order",
       [](V& t) {
         set_key(t, 10, V::map({{V::text("b"), V::uint_array(Bytes{1})}, {V::text("a"), V::uint_array(Bytes{1})}}));
       }},
      {"session id not UTF-8",
       [](V& t) { set_key(t, 10, V::map({{V::text("tenuo.session_id"), V::uint_array(Bytes{0xff, 0xfe})}})); }},
      {"issuable_tools with a number", [](V& t) { set_key(t, 11, V::array({V::integer(1)})); }},
      {"constraint_bounds empty",
       [](V& t) { set_key(t, 14, cbor::decode(unhex("a16b636f6e73747261696e7473a0")).value()); }},
      {"required_approvers not an array", [](V& t) { set_key(t, 15, V::integer(1)); }},
      {"min_approvals negative", [](V& t) { set_key(t, 16, V::integer(-1)); }},
      {"unknown constraint with a map value",
       [](V& t) {
         const V set = V::map({{V::text("constraints"),
                                V::map({{V::text("x"), V::array({V::integer(99), V::map({})})}})}});
         set_key(t, 3, V::map({{V::text("t"), set}}));
       }},
      {"invalid cidr", [](V& t) {
         const V set = V::map({{V::text("constraints"),
                                V::map({{V::text("x"), V::array({V::integer(8), V::text("10.0.0.0/33")})}})}});
         set_key(t, 3, V::map({{V::text("t"), set}}));
       }},
  };
  for (const auto& c : malformed) {
    CAPTURE(c.name);
    expect_code(decode_edited(edited(c.edit)), ErrorCode::MalformedCbor);
  }
}

TEST_CASE("semantic validation (WIRE.md §10.1 step 4) on correctly signed payloads") {
  auto code_of = [](const Payload& p) {
    auto r = decode_warrant(sign_unchecked(p, key_of(1)));
    REQUIRE_FALSE(r.has_value());
    auto v = validate_payload(p);  // the same verdict as the decoder's
    REQUIRE_FALSE(v.has_value());
    CHECK(v.error().code == r.error().code);
    return r.error().code;
  };
  Payload p = a1_payload();
  {
    Payload q = p;
    q.type = WarrantType::Issuer;  // issuer with tools, no issuable_tools
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
    q.tools.clear();  // issuer without issuable_tools
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
    q.issuable_tools = std::vector<std::string>{};  // empty issuable_tools
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
    q.issuable_tools = std::vector<std::string>{"read_file"};
    CHECK(decode_warrant(sign_unchecked(q, key_of(1))).has_value());
    q.max_issue_depth = 4;  // > max_depth 3
    CHECK(code_of(q) == ErrorCode::DepthExceeded);
  }
  {
    Payload q = p;
    q.issuable_tools = std::vector<std::string>{"read_file"};  // on an execution warrant
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload q = p;
    q.max_issue_depth = 1;  // on an execution warrant
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload q = p;
    q.expires_at = q.issued_at;  // expires_at must be strictly after issued_at
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
    q.expires_at = q.issued_at - 1;
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
  }
  {
    Payload q = p;
    q.required_approvers = std::vector<PublicKey>{key_of(4).public_key(), key_of(5).public_key()};
    q.min_approvals = 0;
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
    q.min_approvals = 3;
    CHECK(code_of(q) == ErrorCode::InvalidPayloadStructure);
    q.min_approvals = 2;
    CHECK(decode_warrant(sign_unchecked(q, key_of(1))).has_value());
  }
}

TEST_CASE("count and size limits (WIRE.md §3.4): each side of every boundary") {
  const SigningKey k = key_of(1);
  auto decode_p = [&](const Payload& p) { return decode_warrant(sign_unchecked(p, k)); };
  SUBCASE("tools per warrant: 256 decode, 257 are 1201") {
    Payload p = a1_payload();
    p.tools.clear();
    for (int i = 0; i < 257; ++i) p.tools.emplace_back(fmt::format("tool{:03}", i), ConstraintSet{});
    expect_code(decode_p(p), ErrorCode::InvalidPayloadStructure);
    p.tools.pop_back();
    CHECK(decode_p(p).has_value());
  }
  SUBCASE("constraints per tool: 64 decode, 65 are 1201") {
    Payload p = a1_payload();
    ConstraintSet cs;
    for (int i = 0; i < 65; ++i) cs.set(fmt::format("arg{:02}", i), c::Wildcard{});
    p.tools = {{"t", cs}};
    expect_code(decode_p(p), ErrorCode::InvalidPayloadStructure);
    cs.constraints.pop_back();
    p.tools = {{"t", cs}};
    CHECK(decode_p(p).has_value());
    p.tools.clear();
    p.type = WarrantType::Issuer;
    p.issuable_tools = std::vector<std::string>{"t"};
    cs.set("zz", c::Wildcard{});
    p.constraint_bounds = cs;  // the same limit applies to constraint_bounds
    expect_code(decode_p(p), ErrorCode::InvalidPayloadStructure);
  }
  SUBCASE("constraint nesting: 32 levels decode, 33 are 1903") {
    for (bool use_all : {false, true}) {
      CAPTURE(use_all);
      Constraint c = c::Wildcard{};
      for (int i = 0; i < 32; ++i) c = use_all ? Constraint{c::All{{c}}} : make_not(c);
      Payload p = a1_payload();
      p.tools = {{"t", set_of("x", c)}};
      auto ok = decode_p(p);
      REQUIRE(ok.has_value());
      CHECK(ok->payload().tools[0].second == p.tools[0].second);
      c = use_all ? Constraint{c::All{{c}}} : make_not(c);
      p.tools = {{"t", set_of("x", c)}};
      expect_code(decode_p(p), ErrorCode::TooManyConstraints);
      CHECK(validate_payload(p).error().code == ErrorCode::TooManyConstraints);
    }
  }
  SUBCASE("extensions: 64 keys decode, 65 are 1201 (session and agent ids count)") {
    Payload p = a1_payload();
    for (int i = 0; i < 62; ++i) p.extensions.emplace_back(fmt::format("x.{:02}", i), Bytes{1});
    p.session_id = "s";
    p.agent_id = "a";
    CHECK(decode_p(p).has_value());
    p.extensions.emplace_back("x.99", Bytes{1});
    expect_code(decode_p(p), ErrorCode::InvalidPayloadStructure);
  }
  SUBCASE("extension value: 8192 bytes decode, 8193 are 1201") {
    Payload p = a1_payload();
    p.extensions = {{"big", Bytes(8192, 0x41)}};
    CHECK(decode_p(p).has_value());
    p.extensions = {{"big", Bytes(8193, 0x41)}};
    expect_code(decode_p(p), ErrorCode::InvalidPayloadStructure);
    p.extensions.clear();
    p.session_id = std::string(8193, 's');
    expect_code(decode_p(p), ErrorCode::InvalidPayloadStructure);
  }
  SUBCASE("warrant size: 65536 bytes decode, 65537 are 1900") {
    const Bytes at_limit = warrant_of_size(kMaxWarrantBytes, k, 1);
    CHECK(decode_warrant(at_limit).has_value());
    expect_code(decode_warrant(warrant_of_size(kMaxWarrantBytes + 1, k, 1)), ErrorCode::WarrantTooLarge);
    // The signer refuses to produce one.
    Payload p = a1_payload();
    p.tools = {{"t", set_of("p", c::Pattern{std::string(kMaxWarrantBytes, 'x')})}};
    auto r = WarrantFactory::sign(p, k);
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::WarrantTooLarge);
  }
}

TEST_CASE("issued_at in the future: decoding with a clock allows 30 s of skew, then 1302") {
  const Bytes env = unhex(vector_text("a1/envelope.hex"));
  CHECK(decode_warrant(env, static_cast<std::int64_t>(kT0)).has_value());
  CHECK(decode_warrant(env, static_cast<std::int64_t>(kT0 - 30)).has_value());
  expect_code(decode_warrant(env, static_cast<std::int64_t>(kT0 - 31)), ErrorCode::IssuedInFuture);
  CHECK(decode_warrant(env).has_value());  // no clock: not checked
}

TEST_CASE("decode_warrants: single warrant or stack, failures carry the chain index") {
  const SigningKey root = key_of(1);
  const SigningKey a = key_of(2);
  const Warrant w0 = signed_warrant(a1_payload(), root);
  const Warrant w1 = signed_warrant(child_payload(w0, a.public_key(), 2), a);
  const Bytes single = envelope_bytes(w0);
  const Bytes stack = stack_of({envelope_bytes(w0), envelope_bytes(w1)});
  {
    auto r = decode_warrants(single);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 1);
  }
  {
    auto r = decode_warrants(stack);
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 2);
    CHECK(encode_stack(*r) == stack);
    CHECK(envelope_bytes((*r)[1]) == envelope_bytes(w1));
  }
  {
    auto r = decode_warrants(unhex("80"));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::ChainBroken);
  }
  {
    Bytes bad1 = envelope_bytes(w1);
    bad1[40] ^= 0x04;  // inside w1's payload: its signature no longer verifies
    auto r = decode_warrants(stack_of({envelope_bytes(w0), bad1}));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().chain_index == std::optional<std::size_t>(1));
  }
  {
    auto r = decode_warrants(stack_of({envelope_bytes(w0), unhex("820102")}));
    REQUIRE_FALSE(r.has_value());
    CHECK(r.error().code == ErrorCode::MalformedCbor);
    CHECK(r.error().chain_index == std::optional<std::size_t>(1));
  }
  for (const char* garbage : {"", "00", "a0", "83", "8301", "9f", "f6", "8180"}) {
    CAPTURE(garbage);
    auto r = decode_warrants(unhex(garbage));
    REQUIRE_FALSE(r.has_value());
  }
}

TEST_CASE("stack limits: 262144 bytes decode, 262145 are 1900; more than 64 warrants are 1404") {
  const SigningKey k = key_of(1);
  // Stack head 0x84 (1 byte) + three 65536-byte warrants + one of 65535 = 262144 bytes.
  std::vector<Bytes> parts;
  for (std::uint32_t i = 0; i < 3; ++i) parts.push_back(warrant_of_size(kMaxWarrantBytes, k, 10 + i));
  parts.push_back(warrant_of_size(kMaxWarrantBytes - 1, k, 13));
  Bytes stack = stack_of(parts);
  REQUIRE(stack.size() == kMaxStackBytes);
  auto ok = decode_warrants(stack);
  REQUIRE(ok.has_value());
  CHECK(ok->size() == 4);
  parts.back() = warrant_of_size(kMaxWarrantBytes, k, 13);
  stack = stack_of(parts);
  REQUIRE(stack.size() == kMaxStackBytes + 1);
  auto big = decode_warrants(stack);
  REQUIRE_FALSE(big.has_value());
  CHECK(big.error().code == ErrorCode::WarrantTooLarge);

  // A stack element over the warrant limit inside a stack under the stack limit.
  parts = {envelope_bytes(signed_warrant(a1_payload(), k)), warrant_of_size(kMaxWarrantBytes + 1, k, 20)};
  auto elem = decode_warrants(stack_of(parts));
  REQUIRE_FALSE(elem.has_value());
  CHECK(elem.error().code == ErrorCode::WarrantTooLarge);
  CHECK(elem.error().chain_index == std::optional<std::size_t>(1));

  std::vector<Bytes> many;
  const Bytes one = envelope_bytes(signed_warrant(a1_payload(), k));
  for (int i = 0; i < 64; ++i) many.push_back(one);
  CHECK(decode_warrants(stack_of(many)).has_value());  // decoding does not look at links
  many.push_back(one);
  auto too_many = decode_warrants(stack_of(many));
  REQUIRE_FALSE(too_many.has_value());
  CHECK(too_many.error().code == ErrorCode::ChainTooLong);
}

TEST_CASE("chains of 1 to 64 warrants: encode -> decode -> encode gives identical bytes") {
  std::vector<SigningKey> keys;
  for (std::uint8_t i = 0; i < 4; ++i) keys.push_back(key_of(static_cast<std::uint8_t>(0x40 + i)));
  std::vector<Warrant> chain;
  Payload root = a1_payload();
  root.issuer = keys[0].public_key();
  root.holder = keys[1].public_key();
  root.max_depth = 64;
  root.expires_at = kT0 + 86400;
  root.session_id = "s-1";
  chain.push_back(signed_warrant(root, keys[0]));
  for (std::uint32_t d = 1; d < 64; ++d) {
    const auto& signer = keys[d % 4];
    REQUIRE(signer.public_key() == chain.back().payload().holder);
    Payload c = child_payload(chain.back(), keys[(d + 1) % 4].public_key(), 100 + d);
    c.session_id = "s-1";
    chain.push_back(signed_warrant(c, signer));
  }
  for (std::size_t n = 1; n <= 64; ++n) {
    CAPTURE(n);
    const std::span<const Warrant> prefix(chain.data(), n);
    const Bytes bytes = n == 1 ? envelope_bytes(chain[0]) : encode_stack(prefix);
    auto back = decode_warrants(bytes);
    REQUIRE(back.has_value());
    REQUIRE(back->size() == n);
    CHECK((n == 1 ? envelope_bytes(back->front()) : encode_stack(*back)) == bytes);
    for (std::size_t i = 0; i < n; ++i) {
      CHECK(encode_payload((*back)[i].payload()) == Bytes(chain[i].payload_bytes().begin(), chain[i].payload_bytes().end()));
      CHECK((*back)[i].payload().parent_hash == chain[i].payload().parent_hash);
    }
    // Both text forms read back to the same bytes.
    for (auto fmt : {TextFormat::Base64, TextFormat::Pem}) {
      const std::string text = to_text(prefix, fmt);
      auto again = read_warrants(as_bytes(text));
      REQUIRE(again.has_value());
      REQUIRE(again->size() == n);
      CHECK((n == 1 ? envelope_bytes(again->front()) : encode_stack(*again)) == bytes);
    }
  }

  // The 64-link stack through an independent decoder (cbor2): 64 envelopes, each link's
  // parent_hash (key 9, an array of 32 small integers) is SHA-256 of the previous payload
  // bytes, depths count up, and cbor2 re-encodes the stack to the same bytes.
  if (!has_cbor2()) {
    MESSAGE("skipped the cbor2 cross-check: /usr/bin/python3 has no cbor2 (scripts/deps.sh --test installs it)");
    return;
  }
  const Bytes stack = encode_stack(chain);
  const std::string script =
      "import sys, hashlib, cbor2\n"
      "stack = bytes.fromhex(sys.stdin.readline().strip())\n"
      "links = cbor2.loads(stack)\n"
      "assert isinstance(links, list) and len(links) == 64, len(links)\n"
      "prev = None\n"
      "for i, env in enumerate(links):\n"
      "    assert isinstance(env, list) and len(env) == 3 and env[0] == 1, i\n"
      "    assert isinstance(env[1], bytes) and env[2][0] == 1 and len(env[2][1]) == 64, i\n"
      "    p = cbor2.loads(env[1])\n"
      "    assert p[18] == i, (i, p[18])\n"
      "    if prev is None:\n"
      "        assert 9 not in p, 'root has a parent hash'\n"
      "    else:\n"
      "        ph = p[9]\n"
      "        assert isinstance(ph, list) and len(ph) == 32, (i, ph)\n"
      "        assert all(isinstance(x, int) and 0 <= x <= 255 for x in ph), i\n"
      "        assert bytes(ph) == hashlib.sha256(prev).digest(), i\n"
      "    prev = env[1]\n"
      "assert cbor2.dumps(cbor2.loads(stack)) == stack\n"
      "print(len(links), len(stack), hashlib.sha256(links[-1][1]).hexdigest())\n";
  const std::string out = run_python_with_input(script, hex_encode(stack) + "\n");
  CHECK(out == fmt::format("64 {} {}\n", stack.size(), hex_encode(ByteView(chain.back().payload_hash()))));
}

TEST_CASE("read_warrants: every accepted input form of A.1 and of a two-link chain") {
  const Bytes env = unhex(vector_text("a1/envelope.hex"));
  const std::string b64 = trimmed(vector_text("a1/warrant.b64"));
  const std::string pem = vector_text("a1/warrant.pem");
  std::string std_b64 = base64_encode(env, Base64Alphabet::Standard, Padding::Yes);
  std::string wrapped;
  for (std::size_t i = 0; i < b64.size(); i += 50) wrapped += "  " + b64.substr(i, 50) + "\r\n";
  std::string binary = "TENU\x01";
  binary.append(as_chars(env));
  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"b64url", b64}, {"pem", pem}, {"standard padded", std_b64}, {"wrapped", wrapped},
           {"raw cbor", std::string(as_chars(env))}, {"tenuo binary", binary}, {"b64 newline", b64 + "\n"}}) {
    CAPTURE(name);
    auto r = read_warrants(as_bytes(text));
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 1);
    CHECK(envelope_bytes(r->front()) == env);
  }
  // Concatenated TENUO WARRANT blocks form a chain, as does a TENUO WARRANT CHAIN block.
  const SigningKey a = key_of(2);
  const Warrant w0 = decoded(env);
  const Warrant w1 = signed_warrant(child_payload(w0, a.public_key(), 2), a);
  const std::vector<Warrant> one0{w0}, one1{w1}, both{w0, w1};
  const std::string blocks = to_text(one0, TextFormat::Pem) + to_text(one1, TextFormat::Pem);
  const std::string chain_pem = to_text(both, TextFormat::Pem);
  CHECK(chain_pem.starts_with("-----BEGIN TENUO WARRANT CHAIN-----\n"));
  for (const auto& text : {blocks, chain_pem, to_text(both, TextFormat::Base64)}) {
    auto r = read_warrants(as_bytes(text));
    REQUIRE(r.has_value());
    REQUIRE(r->size() == 2);
    CHECK(encode_stack(*r) == encode_stack(both));
  }
}

}  // TEST_SUITE
