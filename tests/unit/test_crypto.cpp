#include "detail/crypto.hpp"

#include <tenuo/signing_key.hpp>

#include <tenuo/encoding.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <string>
#include <vector>

namespace {

tenuo::Bytes unhex(std::string_view h) { return tenuo::hex_decode(h).value(); }

std::array<std::uint8_t, 32> arr32(std::string_view h) {
  const auto b = unhex(h);
  REQUIRE(b.size() == 32);
  std::array<std::uint8_t, 32> a{};
  std::copy(b.begin(), b.end(), a.begin());
  return a;
}

// A.1 (WIRE.md §19): payload, signature, issuer key.
constexpr std::string_view kA1Payload =
    "aa00010150019471f8000070008000000000000001020003a169726561645f66"
    "696c65a16b636f6e73747261696e7473a164706174688210f604820158208139"
    "770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3940582"
    "0158208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b4"
    "0f6f5c061a65920080071a65920e9008031200";
constexpr std::string_view kA1Sig =
    "4396783e89f37eebfa7d25ad7d61d6cddfbb6c58eade0e9ccc6e28759f1eb56b"
    "3c03873a6232483d05f766481edf9f85560881aed03b6ef25771285409e6d800";
constexpr std::string_view kIssuerPub =
    "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";

tenuo::Bytes a1_message() {
  std::string m = "tenuo-warrant-v1";
  tenuo::Bytes msg(m.begin(), m.end());
  msg.push_back(0x01);
  const auto p = unhex(kA1Payload);
  msg.insert(msg.end(), p.begin(), p.end());
  return msg;
}

// Little-endian S + L (the group order): the same scalar mod L, but not canonical.
std::array<std::uint8_t, 64> add_order_to_s(std::array<std::uint8_t, 64> sig) {
  const auto l = unhex("edd3f55c1a631258d69cf7a2def9de1400000000000000000000000000000010");
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    const unsigned v = sig[32 + i] + l[i] + carry;
    sig[32 + i] = static_cast<std::uint8_t>(v & 0xff);
    carry = v >> 8;
  }
  REQUIRE(carry == 0);
  return sig;
}

}  // namespace

TEST_SUITE("tenuo::crypto") {
TEST_CASE("sha256 known answers, one-shot, parts and incremental agree") {
  using tenuo::detail::sha256;
  CHECK(tenuo::hex_encode(sha256({})) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(tenuo::hex_encode(sha256(tenuo::as_bytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  const std::string_view long_text = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
  const auto expect = "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1";
  CHECK(tenuo::hex_encode(sha256(tenuo::as_bytes(long_text))) == expect);
  const std::array<tenuo::ByteView, 3> parts{tenuo::as_bytes(long_text.substr(0, 5)),
                                             tenuo::as_bytes(long_text.substr(5, 0)),
                                             tenuo::as_bytes(long_text.substr(5))};
  CHECK(tenuo::hex_encode(tenuo::detail::sha256_parts(parts)) == expect);
  tenuo::detail::Sha256Hasher h;
  for (char c : long_text) h.update(tenuo::as_bytes(std::string_view(&c, 1)));
  CHECK(tenuo::hex_encode(h.finish()) == expect);
}

TEST_CASE("A.1 issuer key from seed 01x32 and its deterministic signature") {
  std::array<std::uint8_t, 32> seed{};
  seed.fill(0x01);
  std::array<std::uint8_t, 64> secret{};
  tenuo::detail::Ed25519Public pub{};
  REQUIRE(tenuo::detail::ed25519_seed_keypair(seed, secret, pub));
  CHECK(tenuo::hex_encode(pub) == kIssuerPub);
  CHECK(std::equal(seed.begin(), seed.end(), secret.begin()));
  const auto msg = a1_message();
  REQUIRE(msg.size() == 164);
  const auto sig = tenuo::detail::ed25519_sign(secret, msg);
  CHECK(tenuo::hex_encode(sig) == kA1Sig);
  CHECK(tenuo::detail::ed25519_verify(pub, msg, sig));
  tenuo::detail::secure_zero(secret.data(), secret.size());
  CHECK(std::all_of(secret.begin(), secret.end(), [](auto b) { return b == 0; }));
}

TEST_CASE("verify rejects wrong message, wrong key, bad lengths, flipped bits") {
  const auto pub = arr32(kIssuerPub);
  const auto msg = a1_message();
  const auto sig = unhex(kA1Sig);
  CHECK(tenuo::detail::ed25519_verify(pub, msg, sig));
  auto m2 = msg;
  m2.back() ^= 1;
  CHECK_FALSE(tenuo::detail::ed25519_verify(pub, m2, sig));
  const auto other = arr32("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394");
  CHECK_FALSE(tenuo::detail::ed25519_verify(other, msg, sig));
  CHECK_FALSE(tenuo::detail::ed25519_verify(pub, msg, tenuo::ByteView(sig).first(63)));
  auto longer = sig;
  longer.push_back(0);
  CHECK_FALSE(tenuo::detail::ed25519_verify(pub, msg, longer));
  for (std::size_t bit = 0; bit < 512; bit += 37) {
    auto s2 = sig;
    s2[bit / 8] = static_cast<std::uint8_t>(s2[bit / 8] ^ (1U << (bit % 8)));
    CAPTURE(bit);
    CHECK_FALSE(tenuo::detail::ed25519_verify(pub, msg, s2));
  }
}

TEST_CASE("verify_parts equals verify over the concatenation") {
  const auto pub = arr32(kIssuerPub);
  const auto payload = unhex(kA1Payload);
  const std::uint8_t one = 0x01;
  const std::array<tenuo::ByteView, 3> parts{tenuo::as_bytes("tenuo-warrant-v1"),
                                             tenuo::ByteView(&one, 1), payload};
  const auto sig = unhex(kA1Sig);
  CHECK(tenuo::detail::ed25519_verify_parts(pub, parts, sig));
  const std::array<tenuo::ByteView, 2> missing{tenuo::as_bytes("tenuo-warrant-v1"), payload};
  CHECK_FALSE(tenuo::detail::ed25519_verify_parts(pub, missing, sig));
}

TEST_CASE("strict verify: non-canonical S (S + L) is rejected") {
  const auto pub = arr32(kIssuerPub);
  const auto msg = a1_message();
  std::array<std::uint8_t, 64> sig{};
  const auto raw = unhex(kA1Sig);
  std::copy(raw.begin(), raw.end(), sig.begin());
  REQUIRE(tenuo::detail::ed25519_verify(pub, msg, sig));
  const auto malleated = add_order_to_s(sig);
  CHECK(malleated != sig);
  CHECK_FALSE(tenuo::detail::ed25519_verify(pub, msg, malleated));
}

TEST_CASE("strict verify: small-order R and small-order public keys are rejected") {
  const auto msg = a1_message();
  // R = identity (small order), S = 0: the classic "verifies for any key of small order" forgery.
  std::array<std::uint8_t, 64> sig{};
  sig[0] = 0x01;
  const auto identity = arr32("0100000000000000000000000000000000000000000000000000000000000000");
  CHECK_FALSE(tenuo::detail::ed25519_verify(identity, msg, sig));
  CHECK_FALSE(tenuo::detail::ed25519_verify(arr32(kIssuerPub), msg, sig));
}

TEST_CASE("public key validity: small order, non-canonical and off-curve encodings") {
  using tenuo::detail::ed25519_is_valid_public_key;
  CHECK(ed25519_is_valid_public_key(arr32(kIssuerPub)));
  CHECK(ed25519_is_valid_public_key(
      arr32("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394")));
  const char* bad[] = {
      // all zero (y = 0, order 4)
      "0000000000000000000000000000000000000000000000000000000000000000",
      // identity (y = 1)
      "0100000000000000000000000000000000000000000000000000000000000000",
      // y = p - 1 (order 2)
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // order-8 point
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
      // order-8 point
      "26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05",
      // y = p (non-canonical encoding of 0)
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      // y = 2: not on the curve
      "0200000000000000000000000000000000000000000000000000000000000000",
  };
  for (const char* h : bad) {
    CAPTURE(h);
    CHECK_FALSE(ed25519_is_valid_public_key(arr32(h)));
  }
}

TEST_CASE("public key validity: remembered successes never change an answer") {
  using tenuo::detail::ed25519_is_valid_public_key;
  const auto bad = arr32("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a");
  // More distinct valid keys than the per-thread memory holds, twice over, interleaved with a
  // small-order key that must be refused every time.
  for (int pass = 0; pass < 2; ++pass)
    for (std::uint32_t i = 0; i < 700; ++i) {
      std::array<std::uint8_t, 32> seed{};
      seed[0] = static_cast<std::uint8_t>(i);
      seed[1] = static_cast<std::uint8_t>(i >> 8);
      auto k = tenuo::SigningKey::from_seed(seed);
      REQUIRE(k.has_value());
      CHECK(ed25519_is_valid_public_key(k->public_key().bytes()));
      CHECK_FALSE(ed25519_is_valid_public_key(bad));
    }
  CHECK(ed25519_is_valid_public_key(arr32(kIssuerPub)));
  CHECK_FALSE(ed25519_is_valid_public_key(bad));
}

TEST_CASE("random_bytes fills, secure_alloc round trip") {
  std::array<std::uint8_t, 64> a{};
  std::array<std::uint8_t, 64> b{};
  tenuo::detail::random_bytes(a);
  tenuo::detail::random_bytes(b);
  CHECK(a != b);
  std::uint8_t* p = tenuo::detail::secure_alloc(64);
  REQUIRE(p != nullptr);
  std::fill(p, p + 64, std::uint8_t{0xAB});
  CHECK(p[63] == 0xAB);
  tenuo::detail::secure_free(p);
  tenuo::detail::secure_free(nullptr);
}
}
