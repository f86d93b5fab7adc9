// Using a warrant: sign, allows, why_denied, headers, the Warrant members and BoundWarrant
// (warrant_use.hpp, bound_warrant.hpp).
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::warrant_use") {

TEST_CASE("using a warrant: sign, allows, why_denied, headers") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  const Object ok = make_args({{"replicas", 3}, {"cluster", "staging-web"}});
  const Object bad = make_args({{"cluster", "prod-web"}, {"replicas", 3}});

  const Signature sig = sign(w, agent, "manage_infrastructure", ok, kNow);
  CHECK(pop_verify(agent.public_key(), w.id(), "manage_infrastructure", ok, sig, kNow).has_value());
  CHECK_FALSE(pop_verify(agent.public_key(), w.id(), "manage_infrastructure", bad, sig, kNow).has_value());

  CHECK(allows(w, "manage_infrastructure", ok));
  CHECK_FALSE(allows(w, "manage_infrastructure", bad));
  CHECK_FALSE(allows(w, "manage_infrastructure", make_args({{"cluster", "staging-web"}, {"replicas", 16}})));
  CHECK_FALSE(allows(w, "delete_file", ok));
  CHECK_FALSE(allows(w, "manage_infrastructure",
                     make_args({{"cluster", "staging-web"}, {"replicas", 3}, {"force", true}})));

  const Diagnosis yes = why_denied(w, "manage_infrastructure", ok, kNow + 5);
  CHECK(yes.allowed);
  const Diagnosis no = why_denied(w, "manage_infrastructure", bad, kNow + 5);
  CHECK_FALSE(no.allowed);
  CHECK(no.first_code == ErrorCode::ConstraintViolation);
  REQUIRE(no.arguments.size() == 1);
  CHECK(no.arguments[0].arg == "cluster");
  CHECK(why_denied(w, "delete_file", ok, kNow + 5).first_code == ErrorCode::ToolNotAuthorized);
  CHECK(why_denied(w, "manage_infrastructure", ok, kNow + 7200).first_code == ErrorCode::WarrantExpired);

  const Headers h = headers(w, agent, "manage_infrastructure", ok, kNow);
  REQUIRE(h.count("X-Tenuo-Warrant") == 1);
  REQUIRE(h.count("X-Tenuo-PoP") == 1);
  auto decoded = read_warrants(as_bytes(h.at("X-Tenuo-Warrant")));
  REQUIRE(decoded.has_value());
  REQUIRE(decoded->size() == 1);
  CHECK(decoded->front().envelope_bytes().size() == w.envelope_bytes().size());
  CHECK(decoded->front().payload_hash() == w.payload_hash());
  auto pop = base64_decode(h.at("X-Tenuo-PoP"), Base64Alphabet::Standard, Padding::Yes);
  REQUIRE(pop.has_value());
  CHECK(*pop == Bytes(sig.begin(), sig.end()));
}

TEST_CASE("Warrant members: the SDK spellings give what the free functions give") {
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const SigningKey worker = fresh();
  // Warrant::mint_builder() is mint_builder().
  auto w = Warrant::mint_builder()
               .capability("manage_infrastructure",
                           {{"cluster", Pattern("staging-*")}, {"replicas", Range::max_value(15)}})
               .holder(agent.public_key())
               .ttl(3600s)
               .at(kNow)
               .mint(issuer);
  REQUIRE_MESSAGE(w.has_value(), w.error().message);
  const Warrant free_minted = infra_warrant(issuer, agent.public_key());
  CHECK(w->payload().tools == free_minted.payload().tools);
  CHECK(w->payload().holder == agent.public_key());
  CHECK(w->payload().issuer == issuer.public_key());
  CHECK(w->payload().issued_at == free_minted.payload().issued_at);
  CHECK(w->payload().expires_at == free_minted.payload().expires_at);

  // w.grant_builder() is grant_builder(w): same child, same refusals.
  const auto narrow = [&](GrantBuilder b) {
    return b.capability("manage_infrastructure",
                        {{"cluster", Pattern("staging-web")}, {"replicas", Range::max_value(3)}})
        .holder(worker.public_key())
        .ttl(300s)
        .at(kNow + 10)
        .grant(agent);
  };
  auto child = narrow(w->grant_builder());
  REQUIRE_MESSAGE(child.has_value(), child.error().message);
  auto twin = narrow(grant_builder(*w));
  REQUIRE(twin.has_value());
  CHECK(child->payload().parent_hash == w->payload_hash());
  CHECK(child->payload().tools == twin->payload().tools);
  CHECK(child->payload().expires_at == static_cast<std::uint64_t>(kNow + 10 + 300));
  CHECK(child->payload().holder == worker.public_key());
  expect_code(w->grant_builder().at(kNow + 10).grant(worker), ErrorCode::InvalidIssuer);
  auto wider = w->grant_builder().tool("delete_everything").at(kNow + 10).grant(agent);
  auto wider_free = grant_builder(*w).tool("delete_everything").at(kNow + 10).grant(agent);
  REQUIRE_FALSE(wider.has_value());
  REQUIRE_FALSE(wider_free.has_value());
  CHECK(wider.error().code == wider_free.error().code);

  const std::string tool = "manage_infrastructure";
  const Object ok = make_args({{"cluster", "staging-web"}, {"replicas", 3}});
  const Object bad = make_args({{"cluster", "prod-web"}, {"replicas", 3}});
  // sign: Ed25519 is deterministic, so the member and the function give the same bytes.
  const Signature sig = w->sign(agent, tool, ok, kNow);
  CHECK(sig == sign(*w, agent, tool, ok, kNow));
  CHECK(pop_verify(agent.public_key(), w->id(), tool, ok, sig, kNow).has_value());
  CHECK(w->sign(agent, tool, ok, kNow + 60) != sig);  // another window, another proof
  // allows
  CHECK(w->allows(tool, ok));
  CHECK_FALSE(w->allows(tool, bad));
  CHECK_FALSE(w->allows("delete_file", ok));
  CHECK_FALSE(child->allows(tool, make_args({{"cluster", "staging-web"}, {"replicas", 4}})));
  // why_denied
  const Diagnosis d = w->why_denied(tool, bad, kNow + 5);
  CHECK_FALSE(d.allowed);
  CHECK(d.first_code == ErrorCode::ConstraintViolation);
  REQUIRE(d.arguments.size() == 1);
  CHECK(d.arguments[0].arg == "cluster");
  CHECK(w->why_denied(tool, ok, kNow + 5).allowed);
  CHECK(w->why_denied(tool, ok, kNow + 7200).first_code == ErrorCode::WarrantExpired);
  CHECK(w->why_denied("delete_file", ok, kNow + 5).first_code == ErrorCode::ToolNotAuthorized);
  // headers
  const Headers h = w->headers(agent, tool, ok, kNow);
  CHECK(h == headers(*w, agent, tool, ok, kNow));
  CHECK(h.at(std::string(kPopHeader)) == base64_encode(sig, Base64Alphabet::Standard, Padding::Yes));
  // bind
  expect_code(w->bind(issuer), ErrorCode::InvalidIssuer);
  auto bound = w->bind(agent);
  REQUIRE(bound.has_value());
  CHECK(bound->warrant().payload_hash() == w->payload_hash());
  CHECK(bound->headers(tool, ok, kNow) == h);
  CHECK(bound->why_denied(tool, bad, kNow + 5).first_code == ErrorCode::ConstraintViolation);
  CHECK(bound->why_denied(tool, ok, kNow + 5).allowed);

  // A server accepts what the members produce.
  AuthorizerOptions opts;
  opts.roots.keys = {issuer.public_key()};
  auto az = Authorizer::create(opts).value();
  CHECK(az->check_headers(h, tool, ok, kNow).allowed);
  const std::vector<Warrant> chain{*w, *child};
  CHECK(az->check(chain, ToolCall{tool, ok, child->sign(worker, tool, ok, kNow + 20)}, kNow + 20).allowed);
}

TEST_CASE("BoundWarrant: move-only, holder-checked, same proofs as the free functions") {
  static_assert(!std::is_copy_constructible_v<BoundWarrant>);
  static_assert(!std::is_copy_assignable_v<BoundWarrant>);
  static_assert(std::is_move_constructible_v<BoundWarrant>);
  const SigningKey issuer = fresh();
  const SigningKey agent = fresh();
  const Warrant w = infra_warrant(issuer, agent.public_key());
  expect_code(bind(w, issuer), ErrorCode::InvalidIssuer);
  auto b = bind(w, agent);
  REQUIRE(b.has_value());
  BoundWarrant moved = std::move(b).value();
  const Object a = make_args({{"cluster", "staging-a"}, {"replicas", 1}});
  CHECK(moved.holder() == agent.public_key());
  CHECK(moved.headers("manage_infrastructure", a, kNow) == headers(w, agent, "manage_infrastructure", a, kNow));
  CHECK(moved.sign("manage_infrastructure", a, kNow) == sign(w, agent, "manage_infrastructure", a, kNow));
  CHECK(moved.allows("manage_infrastructure", a));
  CHECK_FALSE(moved.allows("manage_infrastructure", make_args({{"cluster", "prod"}, {"replicas", 1}})));
}

}  // TEST_SUITE
