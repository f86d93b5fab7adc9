// The constraint constructors of constraints.hpp.
#include "api_fixtures.hpp"

TEST_SUITE("tenuo::constraints") {

TEST_CASE("constraint constructors produce the protocol constraint types") {
  CHECK(Pattern("staging-*") == Constraint(c::Pattern{"staging-*"}));
  const auto r = Range::max_value(15);
  REQUIRE(r.get_if<c::Range>() != nullptr);
  CHECK_FALSE(r.get_if<c::Range>()->min.has_value());
  CHECK(*r.get_if<c::Range>()->max == 15.0);
  CHECK(*Range::between(1, 5).get_if<c::Range>()->min == 1.0);
  CHECK_FALSE(Range::half_open(1, 5).get_if<c::Range>()->max_inclusive);
  CHECK(Subpath("/tmp").get_if<c::Subpath>()->root == "/tmp");
  CHECK_FALSE(Subpath("/tmp", PathCase::Insensitive).get_if<c::Subpath>()->case_sensitive);
  const Constraint u = UrlSafe{.allow_domains = std::vector<std::string>{"api.example.com"}};
  CHECK(u.type_id() == static_cast<std::uint8_t>(ConstraintType::UrlSafe));
  CHECK(OneOf({"a", "b"}).type_id() == static_cast<std::uint8_t>(ConstraintType::OneOf));
  CHECK(Exact(42).type_id() == static_cast<std::uint8_t>(ConstraintType::Exact));
  CHECK(Wildcard().type_id() == static_cast<std::uint8_t>(ConstraintType::Wildcard));
  CHECK(Regex("^a+$").type_id() == static_cast<std::uint8_t>(ConstraintType::Regex));
  CHECK(Cidr("10.0.0.0/8").type_id() == static_cast<std::uint8_t>(ConstraintType::Cidr));
  CHECK(All({Pattern("a*"), Not(Exact("ab"))}).depth() == 2);
  CHECK(Any({Pattern("a*")}).type_id() == static_cast<std::uint8_t>(ConstraintType::Any));
  CHECK(All({Pattern("a*")}).type_id() == static_cast<std::uint8_t>(ConstraintType::All));
  CHECK(Not(Wildcard()).type_id() == static_cast<std::uint8_t>(ConstraintType::Not));
  CHECK(*Range::min_value(2).get_if<c::Range>()->min == 2.0);
  CHECK_FALSE(Range::min_value(2).get_if<c::Range>()->max.has_value());
  CHECK_FALSE(Subpath("/tmp", PathCase::Sensitive, RootItself::Refused).get_if<c::Subpath>()->allow_equal);
}

TEST_CASE("constraint constructors: NotOneOf, UrlPattern, Contains, Subset, Cel, Shlex") {
  struct Case {
    Constraint c;
    ConstraintType type;
  };
  const std::vector<Case> cases{
      {NotOneOf({"prod", "admin"}), ConstraintType::NotOneOf},
      {UrlPattern("https://*.example.com/api/*"), ConstraintType::UrlPattern},
      {Contains({"read"}), ConstraintType::Contains},
      {Subset({"read", "write", 3}), ConstraintType::Subset},
      {Cel("value > 0 && value < 10"), ConstraintType::Cel},
      {Shlex({"ls", "grep"}), ConstraintType::Shlex},
  };
  for (const auto& [c, type] : cases) {
    CAPTURE(display(c));
    CHECK(c.type_id() == static_cast<std::uint8_t>(type));
    // Round trips: CBOR bytes (as a warrant carries them) and the JSON form.
    const Bytes bytes = cbor::encode(to_cbor(c));
    auto decoded = constraint_from_cbor(cbor::decode(bytes).value());
    REQUIRE_MESSAGE(decoded.has_value(), decoded.error().message);
    CHECK(*decoded == c);
    CHECK(cbor::encode(to_cbor(*decoded)) == bytes);
    auto from_json = constraint_from_json_text(to_json_text(c));
    REQUIRE_MESSAGE(from_json.has_value(), from_json.error().message);
    CHECK(*from_json == c);
  }
  // The operands land in the wire fields.
  CHECK(NotOneOf({"prod"}).get_if<c::NotOneOf>()->excluded == std::vector<Value>{"prod"});
  CHECK(UrlPattern("https://a.example/*").get_if<c::UrlPattern>()->pattern == "https://a.example/*");
  CHECK(Contains({"read"}).get_if<c::Contains>()->required == std::vector<Value>{"read"});
  CHECK(Subset({1, 2}).get_if<c::Subset>()->allowed == std::vector<Value>{1, 2});
  CHECK(Cel("value > 0").get_if<c::Cel>()->expression == "value > 0");
  CHECK_FALSE(Cel("value > 0").get_if<c::Cel>()->parent_expression.has_value());
  CHECK(Shlex({"ls"}).get_if<c::Shlex>()->allow == std::vector<std::string>{"ls"});

  // In a minted warrant they survive decoding and decide calls as constructed.
  const SigningKey issuer = fresh();
  auto w = Warrant::mint_builder()
               .capability("run", {{"env", NotOneOf({"prod"})},
                                   {"url", UrlPattern("https://*.example.com/*")},
                                   {"perms", Contains({"read"})},
                                   {"scopes", Subset({"read", "write"})},
                                   {"n", Cel("value > 0 && value < 10")},
                                   {"cmd", Shlex({"ls"})}})
               .at(kNow)
               .mint(issuer);
  REQUIRE_MESSAGE(w.has_value(), w.error().message);
  auto back = decode_warrant(w->envelope_bytes());
  REQUIRE(back.has_value());
  CHECK(back->payload().tools == w->payload().tools);
  const Object good = make_args({{"env", "staging"},
                                 {"url", "https://api.example.com/v1"},
                                 {"perms", List{"read", "list"}},
                                 {"scopes", List{"read"}},
                                 {"n", 5},
                                 {"cmd", "ls -la /tmp"}});
  const auto with = [&good](const std::string& key, Value v) {
    Object o = good;
    for (auto& m : o)
      if (m.key == key) m.value = v;
    return o;
  };
  CHECK(back->allows("run", good));
  CHECK_FALSE(back->allows("run", with("env", "prod")));
  CHECK_FALSE(back->allows("run", with("url", "https://evil.test/v1")));
  CHECK_FALSE(back->allows("run", with("perms", List{"list"})));
  CHECK_FALSE(back->allows("run", with("scopes", List{"read", "admin"})));
  CHECK_FALSE(back->allows("run", with("n", 12)));
  CHECK_FALSE(back->allows("run", with("cmd", "rm -rf /")));
}

}  // TEST_SUITE
