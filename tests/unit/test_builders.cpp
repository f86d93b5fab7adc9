// The fluent mint and grant builders (builders.hpp).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::builders") {

TEST_CASE("builders: mint_builder and grant_builder sign what they describe and refuse widening") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  CHECK(w.payload().issuer == issuer.public_key());
  CHECK(w.payload().holder == agent.public_key());
  CHECK(w.payload().expires_at - w.payload().issued_at == 3600);
  const auto* set = w.payload().tool("manage_infrastructure");
  REQUIRE(set != nullptr);
  CHECK(*set->find("cluster") == Pattern("staging-*"));
  CHECK(*set->find("replicas") == Range::max_value(15));

  auto child = grant_builder(w)
                   .capability("manage_infrastructure",
                               {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
                   .holder(worker.public_key())
                   .ttl(300s)
                   .at(kNow + 10)
                   .grant(agent);
  REQUIRE_MESSAGE(child.has_value(), child.error().message);
  CHECK(child->payload().holder == worker.public_key());
  CHECK(child->payload().parent_hash == w.payload_hash());
  CHECK(child->payload().depth == 1);

  auto wider = grant_builder(w)
                   .capability("manage_infrastructure",
                               {{"cluster", Pattern("*")}, {"replicas", Range::max_value(15)}})
                   .at(kNow + 10)
                   .grant(agent);
  REQUIRE_FALSE(wider.has_value());
  CHECK((wider.error().code == ErrorCode::CapabilityExpansion ||
         wider.error().code == ErrorCode::InvalidAttenuation));
  auto new_tool = grant_builder(w).tool("delete_everything").at(kNow + 10).grant(agent);
  REQUIRE_FALSE(new_tool.has_value());
  CHECK((new_tool.error().code == ErrorCode::CapabilityExpansion ||
         new_tool.error().code == ErrorCode::InvalidAttenuation));
  expect_code(grant_builder(w).at(kNow + 10).grant(worker), ErrorCode::InvalidIssuer);
  // No capability: the child keeps the parent's tools.
  auto same = grant_builder(w).at(kNow + 10).grant(agent);
  REQUIRE(same.has_value());
  CHECK(same->payload().tools == w.payload().tools);
}

}  // TEST_SUITE
