#include <tenuo/arguments.hpp>
#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/receipt.hpp>
#include <tenuo/signing_key.hpp>

#include "warrant_fixtures.hpp"

#include <doctest/doctest.h>

#include "detail/crypto.hpp"

#include <algorithm>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

using tenuo::Bytes;
using tenuo::ChainIssueKind;
using tenuo::ErrorCode;
using tenuo::ReceiptPayload;

namespace {

constexpr std::int64_t kT0 = 1704067200;
const std::array<std::uint8_t, 16> kId = {0x01, 0x94, 0x71, 0xf8, 0x00, 0x00, 0x70, 0x00,
                                          0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};

using tenuo::test::key_of;

Bytes vector_hex(const char* name) {
  std::ifstream in(std::string(TENUO_VECTORS_DIR) + "/" + name);
  REQUIRE(in.good());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string clean;
  for (char c : text)
    if (c != '\n' && c != ' ' && c != '\r') clean += c;
  auto b = tenuo::hex_decode(clean);
  REQUIRE(b);
  return *b;
}

template <std::size_t N>
std::array<std::uint8_t, N> fixed_hex(std::string_view h) {
  auto b = tenuo::hex_decode(h);
  REQUIRE(b);
  REQUIRE(b->size() == N);
  std::array<std::uint8_t, N> out{};
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

std::string hex(tenuo::ByteView b) { return tenuo::hex_encode(b); }

// The §21.5 allow receipt payload, built from the library's own PoP and request hash.
ReceiptPayload worked_example_payload() {
  const auto cp = key_of(0x01);
  const auto holder = key_of(0x02);
  auto args = tenuo::parse_arguments(R"({"path": "/data/report.pdf"})");
  REQUIRE(args);
  ReceiptPayload p;
  p.warrant_chain = {0x81};
  const Bytes env = vector_hex("a1_envelope.hex");
  REQUIRE(env.size() == 219);
  p.warrant_chain.insert(p.warrant_chain.end(), env.begin(), env.end());
  p.action = "read_file";
  p.outcome = "allow";
  p.timestamp = kT0;
  p.request_hash = tenuo::request_hash("tnu_wrt_019471f8000070008000000000000001", "read_file",
                                       *args, holder.public_key().bytes());
  p.pop_signature = tenuo::pop_sign(holder, kId, "read_file", *args, kT0);
  p.request_id = "req-1";
  const std::vector<tenuo::PublicKey> roots = {cp.public_key(), holder.public_key()};
  p.trusted_roots_hash = tenuo::trusted_roots_hash(roots);
  return p;
}

// A chain of `n` allow receipts by `signer`, each linked to the previous one.
std::vector<Bytes> make_chain(const tenuo::SigningKey& signer, int n, bool link = true) {
  std::vector<Bytes> out;
  ReceiptPayload p = worked_example_payload();
  for (int i = 0; i < n; ++i) {
    p.request_id = "req-" + std::to_string(i + 1);
    p.timestamp = kT0 + i;
    if (link && !out.empty()) p.prev_receipt_hash = tenuo::detail::sha256(out.back());
    out.push_back(tenuo::sign_receipt(signer, p));
  }
  return out;
}

tenuo::ChainReport check(const std::vector<Bytes>& receipts,
                         std::vector<tenuo::PublicKey> allowed = {}) {
  tenuo::ReceiptChainChecker c(std::move(allowed));
  for (std::size_t i = 0; i < receipts.size(); ++i) {
    const std::string line = tenuo::receipt_jsonl_line(receipts[i]);
    (void)c.add_line(i + 1, line);
  }
  return c.finish();
}

std::vector<ChainIssueKind> kinds(const tenuo::ChainReport& r) {
  std::vector<ChainIssueKind> k;
  for (const auto& i : r.issues) k.push_back(i.kind);
  return k;
}

}  // namespace

TEST_SUITE("tenuo::receipt") {

TEST_CASE("WIRE 21.5 worked example, byte for byte") {
  const auto signer = key_of(0x01);
  const ReceiptPayload p = worked_example_payload();
  CHECK(hex(*p.trusted_roots_hash) ==
        "071021128b34a2248ceb9ab15cb1c900426b6ef2038fe322b463673933e1c9e7");
  CHECK(hex(*p.request_hash) == "117ee182c8c61d83dda1fc31b7248dcdc262aa4ef799a7a36de6364a07a9ea12");

  const Bytes payload = tenuo::encode_receipt_payload(p);
  CHECK(payload.size() == 394);
  CHECK(hex(payload).substr(0, 14) == "a90001025" "8dc81");
  const Bytes artefact = tenuo::sign_receipt(signer, p);
  CHECK(artefact.size() == 548);
  CHECK(hex(artefact).rfind("a46f726563656970745f76657273696f6e01677061796c6f616459018aa9000102", 0) == 0);
  CHECK(hex(tenuo::detail::sha256(artefact)) ==
        "b3bbe0b0b3bcbb9b4a20899e40f635a12e259a7f050d3983af15c7fce68f4901");

  auto r = tenuo::verify_receipt(artefact);
  REQUIRE(r);
  CHECK(hex(r->signature) ==
        "76cc7f59d9af962ac0f574a1874b2a5a1dd2e5557079513e7a106cf8895b88394aba3b6b107675836bf78c26"
        "68c204521d96e224774e15397eb88329d99d6408");
  CHECK(r->signer_key == signer.public_key());
  CHECK(r->payload == p);
  CHECK(r->payload_bytes == payload);
  CHECK(r->bytes == artefact);
  CHECK(hex(r->hash) == "b3bbe0b0b3bcbb9b4a20899e40f635a12e259a7f050d3983af15c7fce68f4901");
  CHECK(tenuo::check_receipt_fields(r->payload));
}

TEST_CASE("payload round trip with every optional field") {
  ReceiptPayload p = worked_example_payload();
  p.outcome = "deny";
  p.decision_code = "constraint-violation";
  p.authorizer_id = "gw-1";
  p.root_principal = "cp";
  p.policy_definition_hash = tenuo::Sha256Digest{};
  p.srl_version = 0xffffffffULL + 5;
  p.srl_hash = tenuo::detail::sha256(tenuo::as_bytes("srl"));
  p.prev_receipt_hash = tenuo::detail::sha256(tenuo::as_bytes("prev"));
  const Bytes enc = tenuo::encode_receipt_payload(p);
  CHECK(enc[0] == 0xb0);  // map(16)
  auto d = tenuo::decode_receipt_payload(enc);
  REQUIRE(d);
  CHECK(*d == p);
  CHECK(tenuo::encode_receipt_payload(*d) == enc);
  CHECK(tenuo::check_receipt_fields(*d));
}

TEST_CASE("payload decode errors") {
  auto decode_hex = [](std::string_view h) {
    auto b = tenuo::hex_decode(h);
    REQUIRE(b);
    return tenuo::decode_receipt_payload(*b);
  };
  // Minimal valid: {0:1, 2:h'', 3:"t", 4:"deny", 5:0, 9:""}
  const std::string base = "a6" "0001" "0240" "036174" "0464" "64656e79" "0500" "0960";
  CHECK(decode_hex(base));
  auto code = [&](std::string_view h) {
    auto r = decode_hex(h);
    REQUIRE_FALSE(r);
    return r.error().code;
  };
  CHECK(code("a7" "0001" "0240" "036174" "0464" "64656e79" "0500" "0960" "0001") == ErrorCode::MalformedCbor);  // dup
  CHECK(code("a7" "0001" "0240" "036174" "0464" "64656e79" "0500" "0960" "1060") == ErrorCode::MalformedCbor);  // key 16
  CHECK(code("a7" "0001" "0240" "036174" "0464" "64656e79" "0500" "0960" "2060") == ErrorCode::MalformedCbor);  // key -1
  CHECK(code("a5" "0001" "0240" "036174" "0464" "64656e79" "0500") == ErrorCode::MalformedCbor);  // no 9
  CHECK(code("a5" "0240" "036174" "0464" "64656e79" "0500" "0960") == ErrorCode::MalformedCbor);  // no 0
  CHECK(code("a6" "0001" "0240" "036174" "04f5" "0500" "0960") == ErrorCode::MalformedCbor);  // bool outcome
  CHECK(code("a6" "0001" "0240" "036174" "0464" "64656e79" "05f93c00" "0960") == ErrorCode::MalformedCbor);  // float ts
  CHECK(code("a6" "0001" "0260" "036174" "0464" "64656e79" "0500" "0960") == ErrorCode::MalformedCbor);  // text chain
  CHECK(code("a7" "0001" "0240" "036174" "0464" "64656e79" "0500" "0758" "1f" + std::string(62, '0') + "0960") ==
        ErrorCode::MalformedCbor);  // 31-byte request hash
  CHECK(code("a7" "0001" "0240" "036174" "0464" "64656e79" "0500" "0798" "20" + std::string(64, '0') + "0960") ==
        ErrorCode::MalformedCbor);  // uint-array request hash
  CHECK(code("a7" "0001" "0240" "036174" "0464" "64656e79" "0500" "0960" "0c20") == ErrorCode::MalformedCbor);  // srl_version -1
  CHECK(code("a6" "0002" "0240" "036174" "0464" "64656e79" "0500" "0960") == ErrorCode::UnsupportedPayloadVersion);
  CHECK(code("83010203") == ErrorCode::MalformedCbor);
  CHECK(code(base + "00") == ErrorCode::MalformedCbor);  // trailing bytes
  // Keys out of order are accepted (the signature covers the bytes as carried).
  CHECK(decode_hex("a6" "0960" "0001" "0240" "036174" "0464" "64656e79" "0500"));
}

TEST_CASE("artefact checks: version, signature, structure") {
  const auto signer = key_of(0x01);
  const ReceiptPayload p = worked_example_payload();
  const Bytes good = tenuo::sign_receipt(signer, p);
  auto outer = tenuo::cbor::decode(good, {.max_depth = 8, .max_bytes = tenuo::kMaxReceiptBytes});
  REQUIRE(outer);

  auto rebuild = [&](auto&& edit) {
    tenuo::cbor::Map m = outer->as_map();
    edit(m);
    return tenuo::cbor::encode(tenuo::cbor::Value::map(std::move(m)));
  };
  auto code_of = [](const Bytes& b) {
    auto r = tenuo::verify_receipt(b);
    REQUIRE_FALSE(r);
    return r.error().code;
  };
  // receipt_version 2 -> unsupported (before the signature is even looked at).
  CHECK(code_of(rebuild([](tenuo::cbor::Map& m) { m[0].value = tenuo::cbor::Value::integer(2); })) ==
        ErrorCode::UnsupportedEnvelopeVersion);
  // Payload byte flipped -> signature fails.
  CHECK(code_of(rebuild([](tenuo::cbor::Map& m) {
          Bytes b = m[1].value.as_bytes();
          b[b.size() - 3] ^= 1;
          m[1].value = tenuo::cbor::Value::bytes(b);
        })) == ErrorCode::SignatureInvalid);
  // Another (valid) signer key -> signature fails.
  CHECK(code_of(rebuild([](tenuo::cbor::Map& m) {
          m[2].value = tenuo::cbor::Value::array(
              {tenuo::cbor::Value::integer(1), tenuo::cbor::Value::bytes(key_of(0x02).public_key().bytes())});
        })) == ErrorCode::SignatureInvalid);
  // Missing signature, wrong algorithm, short key.
  CHECK(code_of(rebuild([](tenuo::cbor::Map& m) { m.pop_back(); })) == ErrorCode::MalformedCbor);
  CHECK(code_of(rebuild([](tenuo::cbor::Map& m) {
          m[3].value.as_array()[0] = tenuo::cbor::Value::integer(2);
        })) == ErrorCode::MalformedCbor);
  CHECK(code_of(rebuild([](tenuo::cbor::Map& m) {
          m[2].value = tenuo::cbor::Value::array({tenuo::cbor::Value::integer(1), tenuo::cbor::Value::bytes(Bytes(31, 1))});
        })) == ErrorCode::MalformedCbor);
  // An unknown outer key is ignored, and key order does not matter.
  auto extra = tenuo::verify_receipt(rebuild([](tenuo::cbor::Map& m) {
    m.push_back({tenuo::cbor::Value::text("zz_extra"), tenuo::cbor::Value::integer(7)});
    std::swap(m[0], m[3]);
  }));
  CHECK(extra);
  // A payload with key 0 = 2 under receipt_version 1, properly signed -> payload version error.
  {
    Bytes body = tenuo::encode_receipt_payload(p);
    REQUIRE(body[1] == 0x00);
    REQUIRE(body[2] == 0x01);
    body[2] = 0x02;
    Bytes msg;
    for (std::string_view s : {"tenuo-warrant-v1", "tenuo-receipt-v1"}) msg.insert(msg.end(), s.begin(), s.end());
    msg.push_back(1);
    msg.insert(msg.end(), body.begin(), body.end());
    const auto sig = signer.sign(msg);
    const Bytes art = rebuild([&](tenuo::cbor::Map& m) {
      m[1].value = tenuo::cbor::Value::bytes(body);
      m[3].value = tenuo::cbor::Value::array({tenuo::cbor::Value::integer(1), tenuo::cbor::Value::bytes(sig)});
    });
    CHECK(code_of(art) == ErrorCode::UnsupportedPayloadVersion);
  }
  CHECK(code_of(Bytes{0xa0}) == ErrorCode::MalformedCbor);
  CHECK(code_of(Bytes{}) == ErrorCode::MalformedCbor);
}

TEST_CASE("conditional fields") {
  ReceiptPayload p = worked_example_payload();
  CHECK(tenuo::check_receipt_fields(p));
  p.pop_signature.reset();
  CHECK_FALSE(tenuo::check_receipt_fields(p));
  p.outcome = "deny";
  CHECK_FALSE(tenuo::check_receipt_fields(p));
  p.decision_code = "untrusted-root";
  CHECK(tenuo::check_receipt_fields(p));
  p.decision_code = "no-such-code";
  CHECK_FALSE(tenuo::check_receipt_fields(p));
  p.outcome = "Allow";
  CHECK_FALSE(tenuo::check_receipt_fields(p));
}

TEST_CASE("trusted roots hash sorts and de-duplicates") {
  const auto a = key_of(0x01).public_key();
  const auto b = key_of(0x02).public_key();
  const std::vector<tenuo::PublicKey> ab = {a, b};
  const std::vector<tenuo::PublicKey> bab = {b, a, b};
  CHECK(tenuo::trusted_roots_hash(ab) == tenuo::trusted_roots_hash(bab));
  CHECK(hex(tenuo::trusted_roots_hash({})) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST_CASE("JSONL lines") {
  const Bytes r = tenuo::sign_receipt(key_of(0x01), worked_example_payload());
  const std::string line = tenuo::receipt_jsonl_line(r);
  CHECK(line.rfind("{\"receipt\":\"a46f72", 0) == 0);
  CHECK(line.back() == '\n');
  for (const std::string& text : {line, line.substr(0, line.size() - 1) + "\r\n",
                                  hex(r) + "\n", "  " + hex(r), std::string("{ \"receipt\" : \"") + hex(r) + "\" , \"x\":1}"}) {
    auto p = tenuo::parse_receipt_line(text);
    REQUIRE(p);
    REQUIRE(p->has_value());
    CHECK(**p == r);
  }
  auto blank = tenuo::parse_receipt_line(" \t\n");
  REQUIRE(blank);
  CHECK_FALSE(blank->has_value());
  for (const std::string& bad : {std::string("{\"receipt\":5}"), std::string("{\"other\":\"00\"}"),
                                 std::string("{\"receipt\":\"0g\"}"), std::string("xyz"),
                                 std::string("{\"receipt\":\"00\""), std::string("abc")}) {
    auto p = tenuo::parse_receipt_line(bad);
    REQUIRE_FALSE(p);
    CHECK(p.error().code == ErrorCode::InvalidInput);
  }
}

TEST_CASE("chain: complete stream") {
  const auto chain = make_chain(key_of(0x01), 5);
  const auto rep = check(chain);
  CHECK(rep.ok());
  CHECK(rep.receipts == 5);
  CHECK(rep.signers == 1);
  CHECK(rep.issues.empty());
}

TEST_CASE("chain: a deleted receipt is a break") {
  auto chain = make_chain(key_of(0x01), 5);
  chain.erase(chain.begin() + 2);  // lines: r1 r2 r4 r5
  const auto rep = check(chain);
  CHECK_FALSE(rep.ok());
  REQUIRE(rep.issues.size() == 1);
  CHECK(rep.issues[0].kind == ChainIssueKind::Break);
  CHECK(rep.issues[0].line == 3);
}

TEST_CASE("chain: reordered receipts") {
  auto chain = make_chain(key_of(0x01), 5);
  std::swap(chain[2], chain[3]);  // lines: r1 r2 r4 r3 r5
  const auto rep = check(chain);
  CHECK_FALSE(rep.ok());
  const auto k = kinds(rep);
  CHECK(std::count(k.begin(), k.end(), ChainIssueKind::Reordered) >= 2);
  CHECK(std::count(k.begin(), k.end(), ChainIssueKind::Break) == 0);
  // r4 at line 3 names r3, which comes later (line 4).
  CHECK(rep.issues[0].line == 3);
  CHECK(rep.issues[0].other_line == 4u);
}

TEST_CASE("chain: a forged receipt") {
  auto chain = make_chain(key_of(0x01), 5);
  // Change "req-3" to "req-X" inside the signed payload of line 3.
  auto& r3 = chain[2];
  const std::string needle = "req-3";
  auto it = std::search(r3.begin(), r3.end(), needle.begin(), needle.end());
  REQUIRE(it != r3.end());
  *(it + 4) = 'X';
  const auto rep = check(chain);
  CHECK_FALSE(rep.ok());
  const auto k = kinds(rep);
  REQUIRE(k.size() == 2);
  CHECK(k[0] == ChainIssueKind::Forged);
  CHECK(rep.issues[0].line == 3);
  CHECK(k[1] == ChainIssueKind::Break);  // line 4 names the original line 3
  CHECK(rep.issues[1].line == 4);
  // A forgery re-signed by another key is authentic but outside the allowed signers.
  auto chain2 = make_chain(key_of(0x01), 3);
  ReceiptPayload p = tenuo::verify_receipt(chain2[2])->payload;
  p.outcome = "allow";
  chain2[2] = tenuo::sign_receipt(key_of(0x09), p);
  const auto rep2 = check(chain2, {key_of(0x01).public_key()});
  const auto k2 = kinds(rep2);
  CHECK(std::find(k2.begin(), k2.end(), ChainIssueKind::UnknownSigner) != k2.end());
  CHECK_FALSE(rep2.ok());
}

TEST_CASE("chain: duplicates, malformed lines, unchained and empty streams") {
  auto chain = make_chain(key_of(0x01), 3);
  auto dup = chain;
  dup.push_back(chain[1]);
  auto rep = check(dup);
  CHECK(kinds(rep) == std::vector<ChainIssueKind>{ChainIssueKind::Duplicate});
  CHECK(rep.issues[0].line == 4);
  CHECK(rep.issues[0].other_line == 2u);

  tenuo::ReceiptChainChecker c;
  CHECK(c.add_line(1, tenuo::receipt_jsonl_line(chain[0])));
  CHECK_FALSE(c.add_line(2, "\n").has_value());
  auto bad = c.add_line(3, "not hex");
  REQUIRE(bad.has_value());
  CHECK_FALSE(bad->has_value());
  CHECK(c.add_line(4, tenuo::receipt_jsonl_line(chain[1])));
  rep = c.finish();
  CHECK(kinds(rep) == std::vector<ChainIssueKind>{ChainIssueKind::Malformed});
  CHECK(rep.issues[0].line == 3);

  // Unlinked receipts by one signer only warn.
  const auto loose = make_chain(key_of(0x01), 3, false);
  rep = check(loose);
  CHECK(rep.ok());
  CHECK(kinds(rep) == std::vector<ChainIssueKind>{ChainIssueKind::Unchained, ChainIssueKind::Unchained});

  // Two signers interleaved, each chained: fine.
  const auto a = make_chain(key_of(0x01), 3);
  const auto b = make_chain(key_of(0x05), 3);
  rep = check({a[0], b[0], a[1], b[1], b[2], a[2]});
  CHECK(rep.ok());
  CHECK(rep.signers == 2);
  CHECK(rep.issues.empty());

  rep = check({});
  CHECK_FALSE(rep.ok());
  CHECK(kinds(rep) == std::vector<ChainIssueKind>{ChainIssueKind::Empty});
}

}  // TEST_SUITE
