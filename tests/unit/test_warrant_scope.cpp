// WarrantScope nesting, thread-locality and existing chains (warrant_scope.hpp).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::warrant_scope") {

TEST_CASE("WarrantScope: nests by attenuation, restores on exit, is thread-local") {
  const SigningKey issuer = fresh();
  const Config cfg = Config::create({.issuer_key = issuer.clone(SecretAccess{}),
                                     .trusted_roots = {issuer.public_key()}})
                         .value();
  CHECK(current_scope() == nullptr);
  {
    WarrantScope outer(cfg, {Capability("delete_file", {{"path", Subpath("/tmp")}})});
    REQUIRE(outer.ok());
    CHECK(current_warrant() == outer.warrant());
    CHECK(outer.chain().size() == 1);
    {
      WarrantScope inner(cfg, {Capability("delete_file", {{"path", Subpath("/tmp/a")}})}, 60s);
      REQUIRE_MESSAGE(inner.ok(), inner.error()->message);
      CHECK(current_warrant() == inner.warrant());
      REQUIRE(inner.chain().size() == 2);
      CHECK(inner.warrant()->payload().parent_hash == outer.warrant()->payload_hash());
      auto del = guard(cfg, "delete_file", [](const Object&) {});
      CHECK(del(make_args({{"path", "/tmp/a/x"}})).has_value());
      CHECK(del(make_args({{"path", "/tmp/b"}})).error().code == ErrorCode::ConstraintViolation);

      // Other threads do not see this thread's scopes.
      const WarrantScope* seen = &inner;
      std::thread([&seen] { seen = current_scope(); }).join();
      CHECK(seen == nullptr);
    }
    CHECK(current_warrant() == outer.warrant());
    {
      // A nested scope cannot widen: it fails and makes no warrant current.
      WarrantScope wider(cfg, {Capability("delete_file", {{"path", Subpath("/")}})});
      CHECK_FALSE(wider.ok());
      CHECK(current_warrant() == nullptr);
      auto del = guard(cfg, "delete_file", [](const Object&) {});
      CHECK(del(make_args({{"path", "/tmp/x"}})).error().code == ErrorCode::ToolNotAuthorized);
    }
    CHECK(current_warrant() == outer.warrant());
  }
  CHECK(current_scope() == nullptr);
  // An existing chain becomes current with its leaf holder's key; guarded calls use it.
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  // Guarded calls decide at the system clock, so this chain is minted at it too.
  auto minted = Warrant::mint_builder()
                    .capability("manage_infrastructure",
                                {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
                    .holder(agent.public_key())
                    .ttl(3600s)
                    .mint(issuer);
  REQUIRE(minted.has_value());
  const Warrant root = *minted;
  auto leaf = root.grant_builder()
                  .capability("manage_infrastructure", {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
                  .holder(worker.public_key())
                  .ttl(600s)
                  .grant(agent);
  REQUIRE_MESSAGE(leaf.has_value(), leaf.error().message);
  {
    WarrantScope given({root, *leaf}, worker);
    REQUIRE(given.ok());
    CHECK(current_scope() == &given);
    CHECK(current_warrant() == given.warrant());
    CHECK(given.warrant()->payload_hash() == leaf->payload_hash());
    REQUIRE(given.holder_key() != nullptr);
    CHECK(given.holder_key()->public_key() == worker.public_key());
    auto scale = guard(cfg, "manage_infrastructure", [](const Object&) { return 1; });
    CHECK(scale.tool() == "manage_infrastructure");
    CHECK(scale(make_args({{"cluster", "staging-web"}, {"replicas", 2}})).value() == 1);
    CHECK(scale(make_args({{"cluster", "staging-web"}, {"replicas", 9}})).error().code == ErrorCode::ConstraintViolation);
    // check_guarded_call at an explicit instant: after the leaf expired the chain is refused.
    const GuardOutcome late = check_guarded_call(cfg, "manage_infrastructure",
                                                 make_args({{"cluster", "staging-web"}, {"replicas", 2}}),
                                                 static_cast<std::int64_t>(leaf->payload().expires_at) + 120);
    CHECK_FALSE(late.decision.allowed);
    CHECK(late.decision.code == ErrorCode::WarrantExpired);
    CHECK_FALSE(late.proceed);  // enforce mode
  }
  CHECK(current_scope() == nullptr);
  {
    WarrantScope wrong_key({root, *leaf}, agent);
    CHECK_FALSE(wrong_key.ok());
    CHECK(wrong_key.error()->code == ErrorCode::InvalidIssuer);
    CHECK(current_warrant() == nullptr);
  }
  {
    WarrantScope empty(std::vector<Warrant>{}, worker);
    CHECK_FALSE(empty.ok());
    CHECK(empty.error()->code == ErrorCode::ChainBroken);
  }
  // Without an issuer key nothing can be minted.
  const Config verifier = Config::create({.trusted_roots = {issuer.public_key()}}).value();
  WarrantScope none(verifier, {Capability("x")});
  CHECK_FALSE(none.ok());
  CHECK(none.error()->code == ErrorCode::InvalidInput);
}

}  // TEST_SUITE
