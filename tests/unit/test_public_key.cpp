#include <tenuo/encoding.hpp>
#include <tenuo/public_key.hpp>

#include <doctest/doctest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <string>

using tenuo::ErrorCode;
using tenuo::PublicKey;

namespace {

constexpr std::string_view kIssuerHex =
    "8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c";
constexpr std::string_view kIssuerSpkiBody =
    "MCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=";
constexpr std::string_view kIssuerSpkiPem =
    "-----BEGIN PUBLIC KEY-----\n"
    "MCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n"
    "-----END PUBLIC KEY-----\n";
constexpr std::string_view kIssuerB64 = "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=";

template <class T>
ErrorCode code_of(const tenuo::Result<T>& r) {
  REQUIRE_FALSE(r.has_value());
  return r.error().code;
}

}  // namespace

TEST_SUITE("tenuo::public_key") {
TEST_CASE("A.1 issuer key: every text form parses to the same key") {
  const auto k = PublicKey::parse(kIssuerHex).value();
  CHECK(k.hex() == kIssuerHex);
  CHECK(k.base64() == kIssuerB64);
  CHECK(k.fingerprint() == "8a88e3dd7409f195");
  CHECK(k.to_pem() == kIssuerSpkiPem);
  const std::string upper = [] {
    std::string s(kIssuerHex);
    for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
  }();
  const std::string url = "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w";  // no '+' or '/' here
  const std::string forms[] = {
      std::string(kIssuerHex),
      upper,
      std::string(kIssuerB64),
      url,
      std::string(kIssuerSpkiPem),
      "  \n" + std::string(kIssuerSpkiPem) + "\n\n",
      // CRLF and a body split at another width
      "-----BEGIN PUBLIC KEY-----\r\nMCowBQYDK2VwAyEA\r\niojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\r\n"
      "-----END PUBLIC KEY-----\r\n",
      // legacy: hex inside the armour
      "-----BEGIN PUBLIC KEY-----\n" + std::string(kIssuerHex) + "\n-----END PUBLIC KEY-----\n",
      std::string(kIssuerHex) + "\n",
  };
  for (const auto& f : forms) {
    CAPTURE(f);
    const auto got = PublicKey::parse(f);
    REQUIRE(got.has_value());
    CHECK(got.value() == k);
  }
  CHECK(PublicKey::from_bytes(tenuo::hex_decode(kIssuerHex).value()).value() == k);
}

TEST_CASE("URL-safe base64 of a key with '-' and '_' digits") {
  // Find the public key of seed 02x32 in URL-safe form; it contains characters that differ.
  const auto k = PublicKey::parse("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394")
                     .value();
  const auto url = tenuo::base64_encode(k.bytes(), tenuo::Base64Alphabet::UrlSafe,
                                        tenuo::Padding::No);
  REQUIRE(url.find_first_of("-_") != std::string::npos);
  CHECK(PublicKey::parse(url).value() == k);
  CHECK(PublicKey::parse(url + "=").value() == k);
  CHECK(PublicKey::parse(k.base64()).value() == k);
}

TEST_CASE("small-order, non-canonical and off-curve keys are refused") {
  const char* bad[] = {
      "0000000000000000000000000000000000000000000000000000000000000000",
      "0100000000000000000000000000000000000000000000000000000000000000",
      "ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a",
      "edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f",
      "0200000000000000000000000000000000000000000000000000000000000000",
  };
  for (const char* h : bad) {
    CAPTURE(std::string_view(h));
    CHECK(code_of(PublicKey::parse(h)) == ErrorCode::InvalidInput);
    CHECK(code_of(PublicKey::from_bytes(tenuo::hex_decode(h).value())) == ErrorCode::InvalidInput);
  }
  // The same refusal through SPKI PEM.
  tenuo::Bytes der = tenuo::base64_decode_any(kIssuerSpkiBody).value();
  std::fill(der.begin() + 12, der.end(), std::uint8_t{0});
  der[12] = 1;
  const auto pem = tenuo::pem_armor(
      "PUBLIC KEY", tenuo::base64_encode(der, tenuo::Base64Alphabet::Standard, tenuo::Padding::Yes));
  CHECK(code_of(PublicKey::parse(pem)) == ErrorCode::InvalidInput);
}

TEST_CASE("malformed public key text is InvalidInput") {
  const std::string bad[] = {
      "",
      "   ",
      std::string(kIssuerHex.substr(0, 62)),                  // 31 bytes of hex
      std::string(kIssuerHex) + "00",                          // 33 bytes of hex
      "zz88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c",  // 64 chars, not hex
      "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1",             // base64 of 31 bytes
      "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w==",          // wrong padding
      "iojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1x",            // trailing bits
      "+/v7-_v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/v7+/s=",           // mixed alphabets
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n",          // unterminated
      "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
      // SPKI of another algorithm (X25519 OID 1.3.101.110)
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VuAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQPb1w=\n"
      "-----END PUBLIC KEY-----\n",
      // truncated SPKI
      "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAiojj3XQJ8ZX9UtstPLpdcspnCb8dlBIb83SIAbQP\n"
      "-----END PUBLIC KEY-----\n",
      // a private key where a public key belongs
      "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIAEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEB\n"
      "-----END PRIVATE KEY-----\n",
      // two public keys
      std::string(kIssuerSpkiPem) + std::string(kIssuerSpkiPem),
      std::string(20000, 'A'),
  };
  for (const auto& t : bad) {
    CAPTURE(t.substr(0, 80));
    CHECK(code_of(PublicKey::parse(t)) == ErrorCode::InvalidInput);
  }
  CHECK(code_of(PublicKey::from_bytes(tenuo::hex_decode("0102").value())) ==
        ErrorCode::InvalidInput);
}

TEST_CASE("from_env reads SPKI PEM, hex and base64; unset is InvalidInput") {
  ::setenv("TENUO_TEST_PUBKEY", std::string(kIssuerSpkiPem).c_str(), 1);
  CHECK(PublicKey::from_env("TENUO_TEST_PUBKEY").value().hex() == kIssuerHex);
  ::setenv("TENUO_TEST_PUBKEY", std::string(kIssuerB64).c_str(), 1);
  CHECK(PublicKey::from_env("TENUO_TEST_PUBKEY").value().hex() == kIssuerHex);
  ::setenv("TENUO_TEST_PUBKEY", "nonsense", 1);
  CHECK(code_of(PublicKey::from_env("TENUO_TEST_PUBKEY")) == ErrorCode::InvalidInput);
  ::unsetenv("TENUO_TEST_PUBKEY");
  CHECK(code_of(PublicKey::from_env("TENUO_TEST_PUBKEY")) == ErrorCode::InvalidInput);
}

TEST_CASE("ordering and equality are by bytes") {
  const auto a = PublicKey::parse(kIssuerHex).value();
  const auto b =
      PublicKey::parse("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394").value();
  CHECK(b < a);
  CHECK(a != b);
  std::set<PublicKey> s{a, b, a};
  CHECK(s.size() == 2);
}
}
