#include <tenuo/cbor.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/srl.hpp>

#include "warrant_fixtures.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using tenuo::Bytes;
using tenuo::ErrorCode;
using tenuo::SrlPayload;
namespace cbor = tenuo::cbor;

namespace {

constexpr std::int64_t kT0 = 1704067200;  // 2024-01-01T00:00:00Z
constexpr const char* kId1 = "tnu_wrt_019471f8000070008000000000000001";
constexpr const char* kId2 = "tnu_wrt_019471f8000070008000000000000002";

// Computed independently (Python cbor2 + cryptography's Ed25519) for seed 01x32 as issuer.
constexpr const char* kPayloadHex =
    "a46b7265766f6b65645f696473827828746e755f7772745f3031393437316638303030303730303038303030303030303030303030303031"
    "7828746e755f7772745f30313934373166383030303037303030383030303030303030303030303030326776657273696f6e0769697373"
    "7565645f617474323032342d30312d30315430303a30303a30305a66697373756572820158208a88e3dd7409f195fd52db2d3cba5d72ca"
    "6709bf1d94121bf3748801b40f6f5c";
constexpr const char* kSignatureHex =
    "ff4c277bda31518acc2688eb45902d50878f606824c975f4766fa2b058be83ac828be3debbd1d9d5e7d7c31bbb0fb3b1445ec59c63c013"
    "bec9f74da4d8721f0e";

using tenuo::test::key_of;

using tenuo::test::unhex;

SrlPayload sample(const tenuo::SigningKey& issuer, std::uint64_t version = 7) {
  SrlPayload p(issuer.public_key());
  p.revoked_ids = {kId1, kId2};
  p.version = version;
  p.issued_at = kT0;
  return p;
}

cbor::Value key_array(tenuo::ByteView raw) {
  return cbor::Value::array({cbor::Value::integer(1), cbor::Value::bytes(raw)});
}

// An SRL assembled field by field, so each test can break one thing.
struct Parts {
  cbor::Value ids = cbor::Value::array({cbor::Value::text(kId1), cbor::Value::text(kId2)});
  cbor::Value version = cbor::Value::integer(7);
  cbor::Value issued_at = cbor::Value::text("2024-01-01T00:00:00Z");
  cbor::Value issuer;
  cbor::Value signature;
  bool extra_payload_field = false;
  bool drop_version = false;

  Bytes encode() const {
    cbor::Map p;
    p.push_back({cbor::Value::text("revoked_ids"), ids});
    if (!drop_version) p.push_back({cbor::Value::text("version"), version});
    p.push_back({cbor::Value::text("issued_at"), issued_at});
    p.push_back({cbor::Value::text("issuer"), issuer});
    if (extra_payload_field) p.push_back({cbor::Value::text("note"), cbor::Value::text("x")});
    cbor::Map outer;
    outer.push_back({cbor::Value::text("payload"), cbor::Value::map(std::move(p))});
    outer.push_back({cbor::Value::text("signature"), signature});
    return cbor::encode(cbor::Value::map(std::move(outer)));
  }
};

Parts signed_parts(const tenuo::SigningKey& k) {
  Parts parts;
  parts.issuer = key_array(k.public_key().bytes());
  const tenuo::Signature sig = k.sign(tenuo::srl_signing_message(sample(k)));
  parts.signature = key_array(sig);
  return parts;
}

}  // namespace

TEST_SUITE("tenuo::srl") {
  TEST_CASE("payload and signed list match independently computed bytes") {
    const auto k = key_of(0x01);
    const SrlPayload p = sample(k);
    CHECK(tenuo::hex_encode(tenuo::encode_srl_payload(p)) == kPayloadHex);
    const Bytes srl = tenuo::sign_srl(k, p);
    const std::string expected = std::string("a2677061796c6f6164") + kPayloadHex + "697369676e617475726582015840" + kSignatureHex;
    CHECK(tenuo::hex_encode(srl) == expected);
    // The assembled form of the test helper is the same bytes.
    CHECK(signed_parts(k).encode() == srl);
  }

  TEST_CASE("verify accepts the issuer's list and reports its ids, version and hash") {
    const auto k = key_of(0x01);
    const Bytes srl = tenuo::sign_srl(k, sample(k));
    const std::vector<tenuo::PublicKey> accepted{key_of(0x05).public_key(), k.public_key()};
    auto r = tenuo::verify_srl(srl, accepted);
    REQUIRE(r);
    CHECK(r->payload == sample(k));
    CHECK(r->revokes(kId1));
    CHECK(r->revokes(kId2));
    CHECK_FALSE(r->revokes("tnu_wrt_019471f8000070008000000000000003"));
    // Exact string equality: the unprefixed or upper-case forms are not matches (§13).
    CHECK_FALSE(r->revokes("019471f8000070008000000000000001"));
    CHECK_FALSE(r->revokes("tnu_wrt_019471F8000070008000000000000001"));
    CHECK(tenuo::hex_encode(tenuo::ByteView(r->hash)).size() == 64);
    auto again = tenuo::decode_srl(srl);
    REQUIRE(again);
    CHECK(again->hash == r->hash);
  }

  TEST_CASE("an issuer outside the accepted set is refused with 1801") {
    const auto k = key_of(0x01);
    const Bytes srl = tenuo::sign_srl(k, sample(k));
    const std::vector<tenuo::PublicKey> others{key_of(0x02).public_key()};
    auto r = tenuo::verify_srl(srl, others);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::SrlInvalid);
    auto none = tenuo::verify_srl(srl, {});
    REQUIRE_FALSE(none);
    CHECK(none.error().code == ErrorCode::SrlInvalid);
  }

  TEST_CASE("a list signed by another key than its issuer field is refused") {
    const auto real = key_of(0x01);
    const auto forger = key_of(0x09);
    const Bytes srl = tenuo::sign_srl(forger, sample(real));  // claims issuer `real`
    const std::vector<tenuo::PublicKey> accepted{real.public_key()};
    auto r = tenuo::verify_srl(srl, accepted);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::SrlInvalid);
  }

  TEST_CASE("altering any signed field breaks the signature (1801)") {
    const auto k = key_of(0x01);
    const std::vector<tenuo::PublicKey> accepted{k.public_key()};
    SUBCASE("an id removed") {
      Parts p = signed_parts(k);
      p.ids = cbor::Value::array({cbor::Value::text(kId2)});
      auto r = tenuo::verify_srl(p.encode(), accepted);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::SrlInvalid);
    }
    SUBCASE("version raised") {
      Parts p = signed_parts(k);
      p.version = cbor::Value::integer(8);
      auto r = tenuo::verify_srl(p.encode(), accepted);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::SrlInvalid);
    }
    SUBCASE("issued_at moved") {
      Parts p = signed_parts(k);
      p.issued_at = cbor::Value::text("2024-01-01T00:00:01Z");
      auto r = tenuo::verify_srl(p.encode(), accepted);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::SrlInvalid);
    }
    SUBCASE("one signature bit") {
      Bytes srl = tenuo::sign_srl(k, sample(k));
      srl.back() ^= 0x01;
      auto r = tenuo::verify_srl(srl, accepted);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::SrlInvalid);
    }
  }

  TEST_CASE("version rollback is 1802, equal or newer versions pass") {
    const auto k = key_of(0x01);
    const Bytes srl = tenuo::sign_srl(k, sample(k, 7));
    const std::vector<tenuo::PublicKey> accepted{k.public_key()};
    CHECK(tenuo::verify_srl(srl, accepted, 0));
    CHECK(tenuo::verify_srl(srl, accepted, 7));
    auto r = tenuo::verify_srl(srl, accepted, 8);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == ErrorCode::SrlVersionRollback);
    // A bad signature is reported as such before any version comparison.
    Bytes forged = srl;
    forged.back() ^= 0x80;
    auto f = tenuo::verify_srl(forged, accepted, 8);
    REQUIRE_FALSE(f);
    CHECK(f.error().code == ErrorCode::SrlInvalid);
  }

  TEST_CASE("the signature is checked over the re-encoded payload (non-canonical issued_at text)") {
    const auto k = key_of(0x01);
    const std::vector<tenuo::PublicKey> accepted{k.public_key()};
    for (const char* text : {"2024-01-01T00:00:00+00:00", "2024-01-01t00:00:00z", "2024-01-01T01:00:00+01:00",
                             "2023-12-31T23:30:00-00:30", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00.000Z"}) {
      CAPTURE(text);
      Parts p = signed_parts(k);
      p.issued_at = cbor::Value::text(text);
      auto r = tenuo::verify_srl(p.encode(), accepted);
      REQUIRE(r);
      CHECK(r->payload.issued_at == kT0);
      CHECK(r->payload.issued_at_nanos == 0);
    }
  }

  TEST_CASE("issued_at text: fractions in 3, 6 or 9 digits, only when non-zero") {
    CHECK(tenuo::srl_time_text(kT0, 0) == "2024-01-01T00:00:00Z");
    CHECK(tenuo::srl_time_text(kT0, 250'000'000) == "2024-01-01T00:00:00.250Z");
    CHECK(tenuo::srl_time_text(kT0, 250'500'000) == "2024-01-01T00:00:00.250500Z");
    CHECK(tenuo::srl_time_text(kT0, 1) == "2024-01-01T00:00:00.000000001Z");
    CHECK(tenuo::srl_time_text(0, 0) == "1970-01-01T00:00:00Z");
    CHECK(tenuo::srl_time_text(951782400, 0) == "2000-02-29T00:00:00Z");
    CHECK(tenuo::srl_time_text(-1, 0) == "1969-12-31T23:59:59Z");
    auto t = tenuo::parse_srl_time("2024-01-01T00:00:00.25Z");
    REQUIRE(t);
    CHECK(t->first == kT0);
    CHECK(t->second == 250'000'000);
    CHECK(tenuo::srl_time_text(t->first, t->second) == "2024-01-01T00:00:00.250Z");
    // The extremes that still round-trip.
    for (const char* edge : {"0000-01-01T00:00:00Z", "0000-01-01T21:00:00+21:00", "9999-12-31T23:59:59Z"}) {
      CAPTURE(edge);
      auto e = tenuo::parse_srl_time(edge);
      REQUIRE(e);
      auto again = tenuo::parse_srl_time(tenuo::srl_time_text(e->first, e->second));
      REQUIRE(again);
      CHECK(*again == *e);
    }
    for (const char* bad : {"", "2024-01-01", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z", "2023-02-29T00:00:00Z",
                            "2024-01-01T24:00:00Z", "2024-01-01T00:00:60Z", "2024-01-01T00:00:00.Z",
                            "2024-01-01T00:00:00.1234567890Z", "2024-01-01T00:00:00+0100", "2024-01-01T00:00:00Zx",
                            "2024-01-01X00:00:00Z", "１９７０-01-01T00:00:00Z",
                            // instants outside UTC years 0000..9999 cannot be written back (fuzz finding)
                            "0000-01-01T01:00:00.7+21:00", "9999-12-31T23:00:00-02:00"}) {
      CAPTURE(bad);
      auto r = tenuo::parse_srl_time(bad);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::SrlInvalid);
    }
  }

  TEST_CASE("malformed lists are 1801") {
    const auto k = key_of(0x01);
    auto expect_invalid = [](const Bytes& b) {
      auto r = tenuo::decode_srl(b);
      REQUIRE_FALSE(r);
      CHECK(r.error().code == ErrorCode::SrlInvalid);
    };
    SUBCASE("missing version") {
      Parts p = signed_parts(k);
      p.drop_version = true;
      expect_invalid(p.encode());
    }
    SUBCASE("unknown payload field") {
      Parts p = signed_parts(k);
      p.extra_payload_field = true;
      expect_invalid(p.encode());
    }
    SUBCASE("negative version") {
      Parts p = signed_parts(k);
      p.version = cbor::Value::integer(-1);
      expect_invalid(p.encode());
    }
    SUBCASE("issued_at as an integer (the A.22.b generator shape)") {
      Parts p = signed_parts(k);
      p.issued_at = cbor::Value::integer(kT0);
      expect_invalid(p.encode());
    }
    SUBCASE("id that is not text") {
      Parts p = signed_parts(k);
      p.ids = cbor::Value::array({cbor::Value::bytes(tenuo::ByteView(unhex("0194")))});
      expect_invalid(p.encode());
    }
    SUBCASE("issuer as a bare byte string") {
      Parts p = signed_parts(k);
      p.issuer = cbor::Value::bytes(tenuo::ByteView(k.public_key().bytes()));
      expect_invalid(p.encode());
    }
    SUBCASE("issuer with algorithm 2") {
      Parts p = signed_parts(k);
      p.issuer = cbor::Value::array({cbor::Value::integer(2), cbor::Value::bytes(tenuo::ByteView(k.public_key().bytes()))});
      expect_invalid(p.encode());
    }
    SUBCASE("small-order issuer key") {
      Parts p = signed_parts(k);
      std::array<std::uint8_t, 32> identity{};
      identity[0] = 1;
      p.issuer = key_array(identity);
      expect_invalid(p.encode());
    }
    SUBCASE("signature of 63 bytes") {
      Parts p = signed_parts(k);
      p.signature = key_array(Bytes(63, 0));
      expect_invalid(p.encode());
    }
    SUBCASE("not a map, truncated, trailing bytes, empty") {
      const Bytes good = tenuo::sign_srl(k, sample(k));
      expect_invalid(Bytes{0x80});
      expect_invalid(Bytes(good.begin(), good.end() - 1));
      Bytes trailing = good;
      trailing.push_back(0x00);
      expect_invalid(trailing);
      expect_invalid(Bytes{});
    }
    SUBCASE("over the size limit") {
      expect_invalid(Bytes(tenuo::kMaxSrlBytes + 1, 0xa2));
    }
  }

  TEST_CASE("file forms: raw CBOR, hex and base64 give the same bytes") {
    const auto k = key_of(0x01);
    const Bytes srl = tenuo::sign_srl(k, sample(k));
    auto as_view = [](const std::string& s) { return tenuo::ByteView(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()); };
    auto raw = tenuo::srl_bytes_from_any(srl);
    REQUIRE(raw);
    CHECK(*raw == srl);
    const std::string hex = tenuo::hex_encode(srl) + "\n";
    auto h = tenuo::srl_bytes_from_any(as_view(hex));
    REQUIRE(h);
    CHECK(*h == srl);
    for (auto alphabet : {tenuo::Base64Alphabet::Standard, tenuo::Base64Alphabet::UrlSafe}) {
      const std::string b64 = tenuo::base64_encode(srl, alphabet, tenuo::Padding::Yes) + "\n";
      auto b = tenuo::srl_bytes_from_any(as_view(b64));
      REQUIRE(b);
      CHECK(*b == srl);
    }
    auto junk = tenuo::srl_bytes_from_any(as_view("not an srl!"));
    REQUIRE_FALSE(junk);
    CHECK(junk.error().code == ErrorCode::SrlInvalid);
    auto empty = tenuo::srl_bytes_from_any({});
    REQUIRE_FALSE(empty);
    CHECK(empty.error().code == ErrorCode::SrlInvalid);
  }
}
