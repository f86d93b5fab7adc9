// Config, configure() and auto_configure() (config.hpp).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::config") {

TEST_CASE("configure: production refuses to start without trusted roots unless dev mode") {
  const SigningKey k = fresh();
  expect_code(Config::create({.issuer_key = k.clone(SecretAccess{}), .mode = EnforcementMode::Enforce}),
              ErrorCode::InvalidInput);
  auto dev = Config::create({.issuer_key = k.clone(SecretAccess{}), .dev_mode = DevMode::On});
  REQUIRE(dev.has_value());
  // Dev mode without roots trusts only the configured issuer.
  REQUIRE(dev->trusted_roots().keys.size() == 1);
  CHECK(dev->trusted_roots().keys[0] == k.public_key());
  auto prod = Config::create({.mode = EnforcementMode::Audit, .trusted_roots = {k.public_key()}});
  REQUIRE(prod.has_value());
  CHECK(prod->issuer_key() == nullptr);
  CHECK(prod->is_audit_mode());
  CHECK_FALSE(prod->should_block_violation());
  expect_code(Config::create({.trusted_roots = {k.public_key()}, .pop_windows = 1}), ErrorCode::InvalidInput);

  reset_configuration();
  CHECK(current_config() == nullptr);
  CHECK(is_enforce_mode());  // fail closed when nothing is configured
  CHECK(should_block_violation());
  REQUIRE(configure({.mode = EnforcementMode::Audit, .trusted_roots = {k.public_key()}}).has_value());
  CHECK(is_audit_mode());
  CHECK_FALSE(should_block_violation());
  // A refused configuration leaves the previous one in place.
  CHECK_FALSE(configure({.mode = EnforcementMode::Enforce}).has_value());
  CHECK(is_audit_mode());
  // An existing Config installs as is; a reader keeps its snapshot across a reconfiguration.
  const std::shared_ptr<const Config> before = current_config();
  configure(Config::create({.mode = EnforcementMode::Permissive, .trusted_roots = {k.public_key()},
                            .pop_windows = 7})
                .value());
  REQUIRE(current_config() != nullptr);
  CHECK(current_config()->mode() == EnforcementMode::Permissive);
  CHECK(current_config()->pop_windows() == 7);
  CHECK_FALSE(is_audit_mode());
  CHECK_FALSE(is_enforce_mode());
  CHECK_FALSE(should_block_violation());
  CHECK(before->is_audit_mode());
  reset_configuration();
}

TEST_CASE("auto_configure reads TENUO_ISSUER_KEY, TENUO_MODE, TENUO_TRUSTED_ROOTS, TENUO_DEV_MODE") {
  const SigningKey issuer = fresh();
  const SigningKey other = fresh();
  EnvGuard env;
  env.set("TENUO_ISSUER_KEY", issuer.seed_base64(SecretAccess{}));
  env.set("TENUO_MODE", "audit");
  reset_configuration();
  expect_code(auto_configure(), ErrorCode::InvalidInput);  // no roots, no dev mode
  CHECK(current_config() == nullptr);
  env.set("TENUO_DEV_MODE", "1");
  REQUIRE(auto_configure().has_value());
  CHECK(is_audit_mode());
  REQUIRE(current_config()->issuer_key() != nullptr);
  CHECK(current_config()->issuer_key()->public_key() == issuer.public_key());
  env.set("TENUO_DEV_MODE", "0");
  env.set("TENUO_MODE", "enforce");
  env.set("TENUO_TRUSTED_ROOTS", issuer.public_key().hex() + " , " + other.public_key().base64());
  auto c = Config::from_env();
  REQUIRE(c.has_value());
  CHECK(c->is_enforce_mode());
  CHECK(c->dev_mode() == DevMode::Off);
  REQUIRE(c->trusted_roots().keys.size() == 2);
  CHECK(c->trusted_roots().keys[1] == other.public_key());
  CHECK_FALSE(c->audit_log().has_value());
  env.set("TENUO_AUDIT_LOG", "/var/log/tenuo/decisions.jsonl");
  CHECK(Config::from_env()->audit_log() == std::optional<std::string>("/var/log/tenuo/decisions.jsonl"));
  env.set("TENUO_DEV_MODE", "maybe");
  expect_code(Config::from_env(), ErrorCode::InvalidInput);
  env.set("TENUO_DEV_MODE", "off");
  env.set("TENUO_MODE", "strict");
  expect_code(Config::from_env(), ErrorCode::InvalidInput);
  env.set("TENUO_MODE", "enforce");
  env.set("TENUO_TRUSTED_ROOTS", "garbage");
  expect_code(Config::from_env(), ErrorCode::InvalidInput);
  reset_configuration();
}

}  // TEST_SUITE
