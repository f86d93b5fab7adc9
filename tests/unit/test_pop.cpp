#include <tenuo/arguments.hpp>
#include <tenuo/encoding.hpp>
#include <tenuo/pop.hpp>
#include <tenuo/signing_key.hpp>

#include "warrant_fixtures.hpp"

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

using tenuo::ErrorCode;
using tenuo::Object;

namespace {

constexpr std::int64_t kT0 = 1704067200;  // 2024-01-01T00:00:00Z, a window start

const std::array<std::uint8_t, 16> kId = {0x01, 0x94, 0x71, 0xf8, 0x00, 0x00, 0x70, 0x00,
                                          0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01};

using tenuo::test::key_of;

Object args(std::string_view json) {
  auto r = tenuo::parse_arguments(json);
  REQUIRE(r);
  return *r;
}

std::string hex(tenuo::ByteView b) { return tenuo::hex_encode(b); }

const char* const kA1Challenge =
    "847820303139343731663830303030373030303830303030303030303030303030303169726561645f66696c65"
    "81826470617468702f646174612f7265706f72742e7064661a65920080";
const char* const kA1Signature =
    "942b4944c3c587da782a81d385562d1debffcf0cbcb024c1e37275687ba76257647ce0e802aa3a831b7b853c9bea"
    "64bed4043eaa61cb93f0a624eba45a57060f";
const char* const kA1Printed =
    "lCtJRMPFh9p4KoHThVYtHev/zwy8sCTB43J1aHunYldkfODoAqo6gxt7hTyb6mS+1AQ+qmHLk/CmJOukWlcGDw==";

}  // namespace

TEST_SUITE("tenuo::pop") {

TEST_CASE("window start floors, also for negative times") {
  CHECK(tenuo::pop_window_start(kT0) == kT0);
  CHECK(tenuo::pop_window_start(kT0 + 29) == kT0);
  CHECK(tenuo::pop_window_start(kT0 + 30) == kT0 + 30);
  CHECK(tenuo::pop_window_start(0) == 0);
  CHECK(tenuo::pop_window_start(-1) == -30);
  CHECK(tenuo::pop_window_start(-30) == -30);
  CHECK(tenuo::pop_window_start(-31) == -60);
}

TEST_CASE("WIRE 19.7: challenge, signature and printed form for A.1") {
  const auto key = key_of(0x02);
  const Object a = args(R"({"path": "/data/report.pdf"})");
  const auto challenge = tenuo::pop_challenge(kId, "read_file", a, kT0);
  CHECK(challenge.size() == 74);
  CHECK(hex(challenge) == kA1Challenge);
  const auto msg = tenuo::pop_message(kId, "read_file", a, kT0);
  CHECK(hex(msg) == "74656e756f2d77617272616e742d763174656e756f2d706f702d7631" + hex(challenge));
  for (std::int64_t t = kT0; t < kT0 + 30; ++t) {
    const auto sig = tenuo::pop_sign(key, kId, "read_file", a, t);
    CHECK(hex(sig) == kA1Signature);
  }
  const auto sig = tenuo::pop_sign(key, kId, "read_file", a, kT0 + 17);
  CHECK(tenuo::base64_encode(sig, tenuo::Base64Alphabet::Standard, tenuo::Padding::Yes) ==
        kA1Printed);
  auto v = tenuo::pop_verify(key.public_key(), kId, "read_file", a, sig, kT0 + 29);
  REQUIRE(v);
  CHECK(v->offset == 0);
  CHECK(v->window_ts == kT0);
}

TEST_CASE("WIRE 19.9: a null argument is signed as f6") {
  const auto key = key_of(0x02);
  const Object a = args(R"({"path": "/data/report.pdf", "note": null})");
  const auto challenge = tenuo::pop_challenge(kId, "read_file", a, kT0);
  CHECK(challenge.size() == 81);
  CHECK(hex(challenge) ==
        "847820303139343731663830303030373030303830303030303030303030303030303169726561645f66696c"
        "658282646e6f7465f6826470617468702f646174612f7265706f72742e7064661a65920080");
  const auto sig = tenuo::pop_sign(key, kId, "read_file", a, kT0);
  CHECK(hex(sig) ==
        "105b6bfbc68726b1c66d48ac1271a61044c42a734ad2a6ee77d8fb3f5ee0f3475a9f0f061c22a9683a84ff7c"
        "553a04ef9e6200a1d3d01e28f8fd6b7ccacba904");
  // The 0.2.x proof (null dropped, = the 19.7 signature) is rejected over these arguments.
  const auto legacy = tenuo::hex_decode(kA1Signature);
  REQUIRE(legacy);
  auto v = tenuo::pop_verify(key.public_key(), kId, "read_file", a, *legacy, kT0);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::SignatureInvalid);
}

TEST_CASE("WIRE 19.8: request_hash and dedup key") {
  const auto key = key_of(0x02);
  const Object a = args(R"({"path": "/data/report.pdf"})");
  const auto h = tenuo::request_hash("tnu_wrt_019471f8000070008000000000000001", "read_file", a,
                                     key.public_key().bytes());
  CHECK(hex(h) == "117ee182c8c61d83dda1fc31b7248dcdc262aa4ef799a7a36de6364a07a9ea12");
  CHECK(tenuo::dedup_key(kId, "read_file", a) ==
        "a29045ea8f1f6538333bbcdbf6c44423661201032c6678c47dd59157018c0b21");
  // An unknown holder hashes an empty byte string: a different hash.
  const auto h0 = tenuo::request_hash("tnu_wrt_019471f8000070008000000000000001", "read_file", a,
                                      tenuo::ByteView{});
  CHECK(h0 != h);
}

TEST_CASE("integral floats sign as integers, others as shortest floats") {
  const Object a = args(R"({"x": 1.0, "y": 1.5, "z": 1e2})");
  const std::string c = hex(tenuo::pop_challenge(kId, "t", a, 0));
  CHECK(c.find("8261780182617" "9f93e00826" "17a1864") != std::string::npos);
}

TEST_CASE("window offsets per max_windows match WIRE 8.3") {
  const std::vector<std::vector<int>> expected = {
      {0, -1},
      {0, -1, 1},
      {0, -1, 1, -2},
      {0, -1, 1, -2, 2},
      {0, -1, 1, -2, 2, -3},
      {0, -1, 1, -2, 2, -3, 3},
      {0, -1, 1, -2, 2, -3, 3, -4},
      {0, -1, 1, -2, 2, -3, 3, -4, 4},
      {0, -1, 1, -2, 2, -3, 3, -4, 4, -5},
  };
  for (int m = 2; m <= 10; ++m) CHECK(tenuo::pop_window_offsets(m) == expected[m - 2]);
}

TEST_CASE("every window edge for max_windows 2..10") {
  const auto key = key_of(0x02);
  const Object a = args(R"({"path": "/data/report.pdf"})");
  const std::int64_t now_window = kT0 + 3000;
  for (int m = 2; m <= 10; ++m) {
    const auto accepted = tenuo::pop_window_offsets(m);
    for (int offset = -7; offset <= 7; ++offset) {
      const std::int64_t signed_at = now_window + offset * 30;
      const auto sig = tenuo::pop_sign(key, kId, "read_file", a, signed_at + 29);
      const bool expect = std::find(accepted.begin(), accepted.end(), offset) != accepted.end();
      // Verify at the first and the last second of the verifier's window.
      for (std::int64_t now : {now_window, now_window + 29}) {
        INFO("max_windows=" << m << " offset=" << offset << " now=" << now);
        auto v = tenuo::pop_verify(key.public_key(), kId, "read_file", a, sig, now, m);
        CHECK(v.has_value() == expect);
        if (v) {
          CHECK(v->offset == offset);
          CHECK(v->window_ts == signed_at);
        } else {
          CHECK(v.error().code == ErrorCode::SignatureInvalid);
        }
      }
    }
  }
}

TEST_CASE("max_windows outside 2..10 is refused") {
  const auto key = key_of(0x02);
  const Object a = args(R"({"path": "/data/report.pdf"})");
  const auto sig = tenuo::pop_sign(key, kId, "read_file", a, kT0);
  for (int m : {-1, 0, 1, 11, 100}) {
    auto v = tenuo::pop_verify(key.public_key(), kId, "read_file", a, sig, kT0, m);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == ErrorCode::InvalidInput);
  }
}

TEST_CASE("tampering with any bound field fails") {
  const auto key = key_of(0x02);
  const auto other = key_of(0x03);
  const Object a = args(R"({"path": "/data/report.pdf", "mode": "r", "n": 3})");
  const auto sig = tenuo::pop_sign(key, kId, "read_file", a, kT0);
  REQUIRE(tenuo::pop_verify(key.public_key(), kId, "read_file", a, sig, kT0));

  auto rejects = [&](const std::array<std::uint8_t, 16>& id, std::string_view tool,
                     const Object& args_, std::int64_t now, const tenuo::PublicKey& pk) {
    auto v = tenuo::pop_verify(pk, id, tool, args_, sig, now);
    return !v && v.error().code == ErrorCode::SignatureInvalid;
  };
  // Warrant id: every byte.
  for (std::size_t i = 0; i < kId.size(); ++i) {
    auto id = kId;
    id[i] ^= 0x01;
    CHECK(rejects(id, "read_file", a, kT0, key.public_key()));
  }
  // Tool.
  CHECK(rejects(kId, "read_filE", a, kT0, key.public_key()));
  CHECK(rejects(kId, "read_file ", a, kT0, key.public_key()));
  CHECK(rejects(kId, "", a, kT0, key.public_key()));
  // Each argument value and name; added, removed, null-added arguments; type changes.
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdX", "mode": "r", "n": 3})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "w", "n": 3})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "r", "n": 4})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "r", "n": 3.5})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "r", "n": "3"})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "r", "m": 3})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "r"})"), kT0, key.public_key()));
  CHECK(rejects(kId, "read_file", args(R"({"path": "/data/report.pdf", "mode": "r", "n": 3, "x": null})"), kT0, key.public_key()));
  // Time: outside the default ±2 windows on either side.
  CHECK(rejects(kId, "read_file", a, kT0 + 3 * 30, key.public_key()));
  CHECK(rejects(kId, "read_file", a, kT0 - 3 * 30 + 29, key.public_key()));
  CHECK(tenuo::pop_verify(key.public_key(), kId, "read_file", a, sig, kT0 + 2 * 30 + 29));
  CHECK(tenuo::pop_verify(key.public_key(), kId, "read_file", a, sig, kT0 - 2 * 30));
  // Holder key, and the signature bytes themselves.
  CHECK(rejects(kId, "read_file", a, kT0, other.public_key()));
  for (std::size_t i : {std::size_t{0}, std::size_t{31}, std::size_t{32}, std::size_t{63}}) {
    auto bad = sig;
    bad[i] ^= 0x80;
    auto v = tenuo::pop_verify(key.public_key(), kId, "read_file", a, bad, kT0);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == ErrorCode::SignatureInvalid);
  }
  // Wrong length.
  auto v = tenuo::pop_verify(key.public_key(), kId, "read_file", a,
                             tenuo::ByteView(sig.data(), 63), kT0);
  REQUIRE_FALSE(v);
  CHECK(v.error().code == ErrorCode::SignatureInvalid);
}

TEST_CASE("argument order in the map does not matter") {
  const auto key = key_of(0x02);
  Object unsorted = {{"z", tenuo::Value{1}}, {"a", tenuo::Value{2}}};
  Object sorted = {{"a", tenuo::Value{2}}, {"z", tenuo::Value{1}}};
  CHECK(tenuo::pop_challenge(kId, "t", unsorted, kT0) == tenuo::pop_challenge(kId, "t", sorted, kT0));
  CHECK(tenuo::request_hash("x", "t", unsorted, {}) == tenuo::request_hash("x", "t", sorted, {}));
}

TEST_CASE("empty arguments sign an empty list") {
  const std::string c = hex(tenuo::pop_challenge(kId, "t", Object{}, kT0));
  CHECK(c.substr(c.size() - 12) == "80" "1a65920080");
}

TEST_CASE("diagnosis: valid, outside the window, legacy signer, invalid") {
  const auto key = key_of(0x02);
  const Object a = args(R"({"path": "/data/report.pdf"})");
  const auto sig = tenuo::pop_sign(key, kId, "read_file", a, kT0);

  auto d = tenuo::pop_diagnose(key.public_key(), kId, "read_file", a, sig, kT0 + 30);
  CHECK(d.finding == tenuo::PopFinding::Valid);
  CHECK(d.offset == -1);

  d = tenuo::pop_diagnose(key.public_key(), kId, "read_file", a, sig, kT0 + 7 * 30 + 5);
  CHECK(d.finding == tenuo::PopFinding::OutsideWindow);
  CHECK(d.offset == -7);
  CHECK(d.window_ts == kT0);
  d = tenuo::pop_diagnose(key.public_key(), kId, "read_file", a, sig, kT0 - 4 * 30);
  CHECK(d.finding == tenuo::PopFinding::OutsideWindow);
  CHECK(d.offset == 4);
  // Beyond the search range it is indistinguishable from invalid.
  d = tenuo::pop_diagnose(key.public_key(), kId, "read_file", a, sig, kT0 + 50 * 30, 5, 10);
  CHECK(d.finding == tenuo::PopFinding::Invalid);

  // A 0.2.x signer dropped the null: the 19.7 signature presented with a null argument.
  const Object with_null = args(R"({"path": "/data/report.pdf", "note": null})");
  d = tenuo::pop_diagnose(key.public_key(), kId, "read_file", with_null, sig, kT0 + 15);
  CHECK(d.finding == tenuo::PopFinding::LegacySigner);
  CHECK(d.offset == 0);
  REQUIRE_FALSE(tenuo::pop_verify(key.public_key(), kId, "read_file", with_null, sig, kT0 + 15));

  // A 0.2.x signer kept 1.0 as a float.
  const std::string text = R"({"n": 1.0})";
  auto legacy = tenuo::parse_arguments_legacy(text);
  REQUIRE(legacy);
  const auto old_sig = tenuo::pop_sign(key, kId, "t", *legacy, kT0);
  const Object current = args(text);
  REQUIRE_FALSE(tenuo::pop_verify(key.public_key(), kId, "t", current, old_sig, kT0));
  d = tenuo::pop_diagnose(key.public_key(), kId, "t", current, old_sig, kT0, 5, 120, &*legacy);
  CHECK(d.finding == tenuo::PopFinding::LegacySigner);

  // Garbage and a wrong key.
  auto junk = sig;
  junk[5] ^= 1;
  CHECK(tenuo::pop_diagnose(key.public_key(), kId, "read_file", a, junk, kT0).finding ==
        tenuo::PopFinding::Invalid);
  CHECK(tenuo::pop_diagnose(key_of(0x03).public_key(), kId, "read_file", a, sig, kT0).finding ==
        tenuo::PopFinding::Invalid);
  CHECK(tenuo::pop_diagnose(key.public_key(), kId, "read_file", a, tenuo::ByteView(sig.data(), 10),
                            kT0).finding == tenuo::PopFinding::Invalid);
}

TEST_CASE("printed signatures in every dialect") {
  const auto raw = tenuo::hex_decode(kA1Signature);
  REQUIRE(raw);
  tenuo::Signature expected{};
  std::copy(raw->begin(), raw->end(), expected.begin());
  const std::string std_pad = kA1Printed;
  const std::string url_nopad =
      tenuo::base64_encode(expected, tenuo::Base64Alphabet::UrlSafe, tenuo::Padding::No);
  const std::string url_pad =
      tenuo::base64_encode(expected, tenuo::Base64Alphabet::UrlSafe, tenuo::Padding::Yes);
  const std::string std_nopad = std_pad.substr(0, std_pad.size() - 2);
  std::string upper_hex = kA1Signature;
  std::transform(upper_hex.begin(), upper_hex.end(), upper_hex.begin(),
                 [](char c) { return static_cast<char>(std::toupper(c)); });
  for (const std::string& text :
       {std_pad, std_nopad, url_pad, url_nopad, std::string(kA1Signature), upper_hex,
        "  " + std_pad + "\n"}) {
    INFO(text);
    auto s = tenuo::parse_pop_signature(text);
    REQUIRE(s);
    CHECK(*s == expected);
  }
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string("!!!!"), std::string(kA1Signature).substr(2),
        std::string(kA1Signature) + "00", std_pad.substr(0, 40),
        tenuo::base64_encode(tenuo::Bytes(65, 1), tenuo::Base64Alphabet::Standard, tenuo::Padding::Yes)}) {
    INFO(bad);
    auto s = tenuo::parse_pop_signature(bad);
    REQUIRE_FALSE(s);
    CHECK(s.error().code == ErrorCode::InvalidInput);
  }
}

}  // TEST_SUITE
