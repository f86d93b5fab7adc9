// Keys: parsing the key text forms, from the environment and round trips
// (signing_key.hpp, public_key.hpp, config.hpp key lookups).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::key_text") {

TEST_CASE("keys: generate, from_env (hex, base64, PEM), TENUO_KEY_<id>, text round trips") {
  const SigningKey k = fresh();
  EnvGuard env;
  env.set("TENUO_API_TEST_KEY", k.seed_hex(SecretAccess{}));
  auto from_hex = SigningKey::from_env("TENUO_API_TEST_KEY");
  REQUIRE(from_hex.has_value());
  CHECK(from_hex->public_key() == k.public_key());
  env.set("TENUO_API_TEST_KEY", k.seed_base64(SecretAccess{}));
  CHECK(SigningKey::from_env("TENUO_API_TEST_KEY")->public_key() == k.public_key());
  env.set("TENUO_API_TEST_KEY", k.to_pem(SecretAccess{}));
  CHECK(SigningKey::from_env("TENUO_API_TEST_KEY")->public_key() == k.public_key());
  env.set("TENUO_API_TEST_PUB", k.public_key().base64());
  CHECK(PublicKey::from_env("TENUO_API_TEST_PUB").value() == k.public_key());
  CHECK(PublicKey::parse(k.public_key().to_pem()).value() == k.public_key());
  CHECK(PublicKey::parse(k.public_key().hex()).value() == k.public_key());
  CHECK(PublicKey::from_bytes(k.public_key().bytes()).value() == k.public_key());

  env.set("TENUO_KEY_worker1", k.seed_base64(SecretAccess{}));
  CHECK(signing_key_for("worker1")->public_key() == k.public_key());
  CHECK(public_key_for("worker1").value() == k.public_key());
  // A seed whose 32 bytes also decode as a curve point (about half of all seeds) is still
  // read as a secret: the named key's public half, never the seed bytes as a public key.
  for (int i = 0; i < 64; ++i) {
    const SigningKey s = fresh();
    if (!PublicKey::from_bytes(s.expose_secret_bytes(SecretAccess{}))) continue;
    env.set("TENUO_KEY_worker2", s.seed_base64(SecretAccess{}));
    CHECK(public_key_for("worker2").value() == s.public_key());
    env.set("TENUO_KEY_worker2", s.seed_hex(SecretAccess{}));
    CHECK(public_key_for("worker2").value() == s.public_key());
  }
  env.set("TENUO_KEY_worker3", k.public_key().to_pem());
  CHECK(public_key_for("worker3").value() == k.public_key());
  expect_code(signing_key_for("worker3"), ErrorCode::InvalidInput);
  expect_code(signing_key_for("nobody"), ErrorCode::InvalidInput);
  env.set("TENUO_API_TEST_KEY", "not a key");
  expect_code(SigningKey::from_env("TENUO_API_TEST_KEY"), ErrorCode::InvalidInput);
  env.set("TENUO_API_TEST_PUB", "not a key");
  expect_code(PublicKey::from_env("TENUO_API_TEST_PUB"), ErrorCode::InvalidInput);

  // Bytes, hex, base64 and both PEM forms of the secret round-trip to the same key.
  const auto seed = k.expose_secret_bytes(SecretAccess{});
  REQUIRE(seed.size() == SigningKey::kSeedSize);
  CHECK(SigningKey::from_seed(seed)->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.seed_hex(SecretAccess{}))->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.seed_base64(SecretAccess{}))->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.to_pem(SecretAccess{}))->public_key() == k.public_key());
  CHECK(SigningKey::parse(k.to_pem_v2(SecretAccess{}))->public_key() == k.public_key());
  CHECK(hex_decode(k.seed_hex(SecretAccess{})).value() == Bytes(seed.begin(), seed.end()));
  CHECK(hex_decode(k.public_key().hex()).value() ==
        Bytes(k.public_key().bytes().begin(), k.public_key().bytes().end()));
  CHECK(PublicKey::parse(k.public_key().base64()).value() == k.public_key());
  expect_code(SigningKey::from_seed(Bytes(31, 7)), ErrorCode::InvalidInput);
  expect_code(PublicKey::from_bytes(Bytes(31, 7)), ErrorCode::InvalidInput);
}

}  // TEST_SUITE
