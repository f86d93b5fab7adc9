#include <tenuo/encoding.hpp>
#include <tenuo/signing_key.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cstdlib>
#include <string>
#include <type_traits>
#include <utility>

using tenuo::ErrorCode;
using tenuo::SecretAccess;
using tenuo::SigningKey;

namespace {

constexpr std::string_view kIssuerPubHex =
    "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
constexpr std::string_view kHolderPubHex =
    "8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394";
constexpr std::string_view kSeed01Hex =
    "0101010101010101010101010101010101010101010101010101010101010101";
// WIRE.md §19.1: the files `tenuo keygen` writes for the control-plane key.
constexpr std::string_view kPkcs8V1Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n"
    "-----END PRIVATE KEY-----\n";
constexpr std::string_view kSpkiPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view kSeed01B64 = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=";
// The 83-byte v2 form (seed 01x32 with its public key) in 64-character lines.
constexpr std::string_view kPkcs8V2Pem =
    "-----BEGIN PRIVATE KEY-----\n"
    "MFECAQEwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n"
    "gSEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n"
    "-----END PRIVATE KEY-----\n";

template <class T>
ErrorCode code_of(const tenuo::Result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

std::string armour(std::string_view label, std::string_view body) {
  return tenuo::pem_armor(label, body);
}

}  // namespace

static_assert(!std::is_copy_constructible_v<SigningKey>);
static_assert(!std::is_copy_assignable_v<SigningKey>);
static_assert(std::is_nothrow_move_constructible_v<SigningKey>);
static_assert(std::is_nothrow_move_assignable_v<SigningKey>);

TEST_SUITE("tenuo::signing_key") {
TEST_CASE("A.1 keys from seeds 01x32 and 02x32") {
  const auto k1 = SigningKey::from_seed(tenuo::hex_decode(kSeed01Hex).value()).value();
  CHECK(k1.public_key().hex() == kIssuerPubHex);
  tenuo::Bytes seed2(32, 0x02);
  const auto k2 = SigningKey::from_seed(seed2).value();
  CHECK(k2.public_key().hex() == kHolderPubHex);
}

TEST_CASE("key files exactly as WIRE.md §19.1") {
  const auto k = SigningKey::parse(kSeed01Hex).value();
  CHECK(k.to_pem(SecretAccess{}) == kPkcs8V1Pem);
  CHECK(k.public_key().to_pem() == kSpkiPem);
  CHECK(k.seed_base64(SecretAccess{}) == kSeed01B64);
  CHECK(k.seed_hex(SecretAccess{}) == kSeed01Hex);
  CHECK(k.to_pem_v2(SecretAccess{}) == kPkcs8V2Pem);
  const auto seed = k.expose_secret_bytes(SecretAccess{});
  CHECK(seed.size() == 32);
  CHECK(std::all_of(seed.begin(), seed.end(), [](auto b) { return b == 1; }));
}

TEST_CASE("every private key text form parses to the same key") {
  const std::string url_seed = "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE";
  const std::string forms[] = {
      std::string(kPkcs8V1Pem),
      std::string(kPkcs8V2Pem),
      "\r\n  " + std::string(kPkcs8V1Pem) + "\n",
      // CRLF line endings and text around the block
      "key for CI\r\n-----BEGIN PRIVATE KEY-----\r\n"
      "MC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\r\n-----END PRIVATE KEY-----\r\n",
      // PKCS#8 whose privateKey OCTET STRING holds the seed directly
      armour("PRIVATE KEY", "MCwCAQAwBQYDK2VwBCABAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ=="),
      // legacy hex inside the armour
      armour("PRIVATE KEY", kSeed01Hex),
      std::string(kSeed01Hex),
      std::string(kSeed01Hex) + "\n",
      std::string(kSeed01B64),
      std::string(kSeed01B64) + "\n",
      url_seed,
  };
  for (const auto& f : forms) {
    CAPTURE(f);
    const auto got = SigningKey::parse(f);
    REQUIRE(got.has_value());
    CHECK(got->public_key().hex() == kIssuerPubHex);
  }
  // URL-safe base64 with '-' and '_' digits.
  tenuo::Bytes seed(32, 0xfb);
  const auto url = tenuo::base64_encode(seed, tenuo::Base64Alphabet::UrlSafe, tenuo::Padding::Yes);
  REQUIRE(url.find('-') != std::string::npos);
  const auto k = SigningKey::parse(url).value();
  CHECK(k.seed_hex(SecretAccess{}) == tenuo::hex_encode(seed));
}

TEST_CASE("PKCS#8 v2 round trip; mismatched embedded public key rejected") {
  const auto g = SigningKey::generate().value();
  const auto v2 = g.to_pem_v2(SecretAccess{});
  const auto back = SigningKey::parse(v2).value();
  CHECK(back.public_key() == g.public_key());
  CHECK(back.seed_hex(SecretAccess{}) == g.seed_hex(SecretAccess{}));
  const auto v1 = g.to_pem(SecretAccess{});
  CHECK(SigningKey::parse(v1).value().public_key() == g.public_key());

  // Seed 01x32 with the public key of seed 02x32 embedded.
  const auto mismatched = armour(
      "PRIVATE KEY",
      "MFECAQEwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBgSEAgTl3Dqh9F19Wo1Rmw0x+"
      "zMuNipG07jeiXfYPW4/Js5Q=");
  CHECK(code_of(SigningKey::parse(mismatched)) == ErrorCode::InvalidInput);
  // v2 with the [1] tag replaced by [0] (attributes).
  auto der = tenuo::base64_decode_any(
                 "MFECAQEwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBgSEAiojj3XQJ8ZX9"
                 "UtstPLpdcspnCb8dlBIb83SIAbQPb1w=")
                 .value();
  REQUIRE(der.size() == 83);
  CHECK(SigningKey::parse(armour("PRIVATE KEY", tenuo::base64_encode(der, tenuo::Base64Alphabet::Standard,
                                                                      tenuo::Padding::Yes)))
            .has_value());
  der[48] = 0xa0;
  CHECK(code_of(SigningKey::parse(armour(
            "PRIVATE KEY",
            tenuo::base64_encode(der, tenuo::Base64Alphabet::Standard, tenuo::Padding::Yes)))) ==
        ErrorCode::InvalidInput);
}

TEST_CASE("malformed private key text is InvalidInput") {
  const std::string bad[] = {
      "",
      "\n \t",
      std::string(kSeed01Hex.substr(0, 62)),
      std::string(kSeed01Hex) + "01",
      "0g01010101010101010101010101010101010101010101010101010101010101",
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQ==",   // 31 bytes
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB",   // 33 bytes
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQF=",   // trailing bits
      "AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE==",  // wrong padding
      "+/v7-_v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=",   // mixed alphabets
      // X25519 (OID 1.3.101.110) PKCS#8
      armour("PRIVATE KEY", "MC4CAQAwBQYDK2VuBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"),
      // truncated DER
      armour("PRIVATE KEY", "MC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"),
      // v1 with a wrong inner length byte
      armour("PRIVATE KEY", "MC4CAQAwBQYDK2VwBCIEIQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB"),
      // not base64 inside
      armour("PRIVATE KEY", "!!!!"),
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAEB\n",            // unterminated
      "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PUBLIC KEY-----\n",       // mismatched END
      std::string(kSpkiPem),                                                   // a public key
      armour("ENCRYPTED PRIVATE KEY", "MIGbMFcGCSqGSIb3DQEFDTBKMCkGCSqGSIb3DQEFDDAc"),
      armour("OPENSSH PRIVATE KEY", "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ"),
      std::string(kPkcs8V1Pem) + std::string(kPkcs8V1Pem),                  // two keys
      std::string(20000, 'A'),
  };
  for (const auto& t : bad) {
    CAPTURE(t.substr(0, 80));
    CHECK(code_of(SigningKey::parse(t)) == ErrorCode::InvalidInput);
  }
  CHECK(code_of(SigningKey::from_seed(tenuo::Bytes(31, 1))) == ErrorCode::InvalidInput);
  CHECK(code_of(SigningKey::from_seed(tenuo::Bytes(33, 1))) == ErrorCode::InvalidInput);
}

TEST_CASE("sign is deterministic RFC 8032 and verifies with the public key") {
  const auto k = SigningKey::parse(kPkcs8V1Pem).value();
  tenuo::Bytes msg;
  const std::string_view ctx = "tenuo-warrant-v1";
  msg.insert(msg.end(), ctx.begin(), ctx.end());
  msg.push_back(0x01);
  const auto payload = tenuo::hex_decode(
                           "aa00010150019471f8000070008000000000000001020003a169726561645f66"
                           "696c65a16b636f6e73747261696e7473a164706174688210f604820158208139"
                           "770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b3940582"
                           "0158208a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b4"
                           "0f6f5c061a65920080071a65920e9008031200")
                           .value();
  msg.insert(msg.end(), payload.begin(), payload.end());
  const auto sig = k.sign(msg);
  CHECK(tenuo::hex_encode(sig) ==
        "4396783e89f37eebfa7d25ad7d61d6cddfbb6c58eade0e9ccc6e28759f1eb56b"
        "3c03873a6232483d05f766481edf9f85560881aed03b6ef25771285409e6d800");
  CHECK(k.public_key().verify(msg, sig));
  msg[0] ^= 1;
  CHECK_FALSE(k.public_key().verify(msg, sig));
}

TEST_CASE("generate, move, clone") {
  auto a = SigningKey::generate().value();
  auto b = SigningKey::generate().value();
  CHECK(a.public_key() != b.public_key());
  const auto pub_a = a.public_key();
  const auto sig = a.sign(tenuo::as_bytes("m"));

  SigningKey moved(std::move(a));
  CHECK(moved.public_key() == pub_a);
  CHECK(moved.sign(tenuo::as_bytes("m")) == sig);
  CHECK(a.expose_secret_bytes(SecretAccess{}).empty());  // NOLINT(bugprone-use-after-move)
  CHECK_THROWS(static_cast<void>(a.sign(tenuo::as_bytes("m"))));  // NOLINT

  b = std::move(moved);
  CHECK(b.public_key() == pub_a);
  const auto c = b.clone(SecretAccess{});
  CHECK(c.public_key() == pub_a);
  CHECK(c.sign(tenuo::as_bytes("m")) == sig);
  CHECK(c.expose_secret_bytes(SecretAccess{}).data() != b.expose_secret_bytes(SecretAccess{}).data());
}

TEST_CASE("from_env accepts base64, hex and PEM; unset or bad is InvalidInput") {
  ::setenv("TENUO_TEST_SK", std::string(kSeed01B64).c_str(), 1);
  CHECK(SigningKey::from_env("TENUO_TEST_SK").value().public_key().hex() == kIssuerPubHex);
  ::setenv("TENUO_TEST_SK", std::string(kSeed01Hex).c_str(), 1);
  CHECK(SigningKey::from_env("TENUO_TEST_SK").value().public_key().hex() == kIssuerPubHex);
  ::setenv("TENUO_TEST_SK", std::string(kPkcs8V1Pem).c_str(), 1);
  CHECK(SigningKey::from_env("TENUO_TEST_SK").value().public_key().hex() == kIssuerPubHex);
  ::setenv("TENUO_TEST_SK", "short", 1);
  CHECK(code_of(SigningKey::from_env("TENUO_TEST_SK")) == ErrorCode::InvalidInput);
  ::unsetenv("TENUO_TEST_SK");
  CHECK(code_of(SigningKey::from_env("TENUO_TEST_SK")) == ErrorCode::InvalidInput);
}

TEST_CASE("OpenSSL interop: a key and signature made by openssl 3.0") {
  // `openssl genpkey -algorithm ed25519`, then `openssl pkeyutl -sign -rawin` over kMessage.
  constexpr std::string_view kOpensslKey =
      "-----BEGIN PRIVATE KEY-----\n"
      "MC4CAQAwBQYDK2VwBCIEIMttrP2ko0F5c4L1+4vh4bUvAxqU8lUCl2IljCYNQB8w\n"
      "-----END PRIVATE KEY-----\n";
  constexpr std::string_view kOpensslPub =
      "-----BEGIN PUBLIC KEY-----\n"
      "MCowBQYDK2VwAyEA5++Z5d06CAWWKrnHARRY4pmssuRJZor5pyZ73FbT/Pk=\n"
      "-----END PUBLIC KEY-----\n";
  constexpr std::string_view kMessage = "tenuo openssl interop\n";
  constexpr std::string_view kOpensslSig =
      "01e16af3fca9b135ea55a9f77cbe3d2d4b3aa07879fc41a757466bb976bfc7fb"
      "1fe39c6b3f6df45104d090b377f421b80df0f5ede9e91a4ac8adaae6f22d4609";
  const auto k = SigningKey::parse(kOpensslKey).value();
  CHECK(k.public_key().hex() == "e7ef99e5dd3a0805962ab9c7011458e299acb2e449668af9a7267bdc56d3fcf9");
  CHECK(k.public_key().to_pem() == kOpensslPub);
  CHECK(k.to_pem(SecretAccess{}) == kOpensslKey);  // byte-identical re-encoding
  const auto sig = tenuo::hex_decode(kOpensslSig).value();
  CHECK(k.public_key().verify(tenuo::as_bytes(kMessage), sig));
  const auto ours = k.sign(tenuo::as_bytes(kMessage));
  CHECK(tenuo::hex_encode(ours) == kOpensslSig);  // Ed25519 is deterministic
}
}
