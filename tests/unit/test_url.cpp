#include "detail/url.hpp"

#include <doctest/doctest.h>

#include <string>

using tenuo::detail::HostKind;
using tenuo::detail::parse_url;

TEST_SUITE("tenuo::url") {
TEST_CASE("special URLs serialise like a WHATWG parser") {
  struct Row { const char* in; const char* href; };
  const Row rows[] = {
      {"http://example.com", "http://example.com/"},
      {"HTTP://EXAMPLE.COM/A/B", "http://example.com/A/B"},
      {"  http://example.com/  ", "http://example.com/"},
      {"ht\ttp://exa\nmple.com/", "http://example.com/"},
      {"http:example.com/x", "http://example.com/x"},
      {"http:\\\\example.com\\x\\y", "http://example.com/x/y"},
      {"https://example.com:443/", "https://example.com/"},
      {"https://example.com:0443/", "https://example.com/"},
      {"http://example.com:8080/", "http://example.com:8080/"},
      {"http://example.com:/", "http://example.com/"},
      {"http://user:pass@example.com/", "http://user:pass@example.com/"},
      {"http://good.com@evil.internal/", "http://good.com@evil.internal/"},
      {"http://a@b@c/", "http://a%40b@c/"},
      {"http://example.com/a/./b/../c", "http://example.com/a/c"},
      {"http://example.com/a/%2e/b/%2E%2e/c", "http://example.com/a/c"},
      {"http://example.com/../../x", "http://example.com/x"},
      {"http://example.com/a b", "http://example.com/a%20b"},
      {"http://example.com/\xc3\xa9", "http://example.com/%C3%A9"},
      {"http://example.com/?q=a b#f g", "http://example.com/?q=a%20b#f%20g"},
      {"http://example.com?x", "http://example.com/?x"},
      {"http://%65xample.com/", "http://example.com/"},
      {"http://2130706433/", "http://127.0.0.1/"},
      {"http://0x7f000001/", "http://127.0.0.1/"},
      {"http://0177.0.0.1/", "http://127.0.0.1/"},
      {"http://127.1/", "http://127.0.0.1/"},
      {"http://127.0.1/", "http://127.0.0.1/"},
      {"http://0x7f.1/", "http://127.0.0.1/"},
      {"http://127.0.0.1./", "http://127.0.0.1/"},
      {"http://0/", "http://0.0.0.0/"},
      {"http://[::1]/", "http://[::1]/"},
      {"http://[0:0:0:0:0:0:0:1]/", "http://[::1]/"},
      {"http://[::ffff:127.0.0.1]/", "http://[::ffff:7f00:1]/"},
      {"http://[1:0:0:2:0:0:0:3]/", "http://[1:0:0:2::3]/"},
      {"http://[1:0:0:0:2:0:0:3]/", "http://[1::2:0:0:3]/"},
      {"file:///etc/passwd", "file:///etc/passwd"},
      {"file://localhost/etc/passwd", "file:///etc/passwd"},
      {"file:///C:/x/../..", "file:///C:/"},
      {"file://C:/x", "file:///C:/x"},
      {"mailto:someone@example.com", "mailto:someone@example.com"},
      {"foo://Host.Example/p", "foo://Host.Example/p"},
      {"foo://%31%32%37.0.0.1/", "foo://%31%32%37.0.0.1/"},
      {"foo:/a/../b", "foo:/b"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.in);
    auto u = parse_url(r.in);
    REQUIRE(u.has_value());
    CHECK(u->href() == r.href);
  }
}

TEST_CASE("host kinds and ports") {
  auto u = parse_url("http://Example.COM:8080/x");
  REQUIRE(u.has_value());
  CHECK(u->host_kind == HostKind::Domain);
  CHECK(u->host == "example.com");
  CHECK(u->port == 8080);
  auto v4 = parse_url("https://10.1.2.3/");
  REQUIRE(v4.has_value());
  CHECK(v4->host_kind == HostKind::Ipv4);
  CHECK(v4->ipv4 == 0x0A010203u);
  CHECK_FALSE(v4->port.has_value());
  auto v6 = parse_url("http://[fe80::1]:81/");
  REQUIRE(v6.has_value());
  CHECK(v6->host_kind == HostKind::Ipv6);
  CHECK(v6->host == "[fe80::1]");
  CHECK(v6->ipv6[0] == 0xfe80);
  CHECK(v6->port == 81);
  auto opaque = parse_url("foo://Host/");
  REQUIRE(opaque.has_value());
  CHECK(opaque->host_kind == HostKind::Opaque);
  auto none = parse_url("mailto:x");
  REQUIRE(none.has_value());
  CHECK(none->host_kind == HostKind::None);
  CHECK(none->opaque_path);
}

TEST_CASE("failures") {
  for (const char* in : {"", "example.com", "//example.com", "1http://x", "http://", "http:///",
                         "http://exa mple.com/", "http://example.com:port/", "http://example.com:65536/",
                         "http://user@/", "http://:80/", "http://[::1/", "http://[1::2::3]/",
                         "http://[::ffff:127.0.0.01]/", "http://[fe80::1%25eth0]/", "http://256.0.0.1/",
                         "http://1.2.3.4.5/", "http://0x100000000/", "http://4294967296/",
                         "http://foo.0x/x.1", "http://a%00b/", "http://a%25b/", "http://a<b/",
                         "http://ex\xc3\xa4mple.com/", "http://xn--exmple-cua.com/",
                         "http://%ef%bc%91%ef%bc%92%ef%bc%97.0.0.1/", "http://\xef\xbc\xac\xef\xbc\xaf.com/",
                         "foo://a b/", "foo://a:x/", "http://a\xff/"}) {
    CAPTURE(in);
    CHECK_FALSE(parse_url(in).has_value());
  }
}

TEST_CASE("IPv4 and IPv6 pieces") {
  using namespace tenuo::detail;
  CHECK(host_ends_in_number("1.2.3.4"));
  CHECK(host_ends_in_number("foo.0x"));
  CHECK(host_ends_in_number("foo.09"));  // digits only: IPv4 parser, which then fails
  CHECK_FALSE(host_ends_in_number("foo.bar"));
  CHECK_FALSE(host_ends_in_number("1.2.3.x"));
  CHECK(parse_ipv4_whatwg("1.2.3.4") == 0x01020304u);
  CHECK(parse_ipv4_whatwg("1.2.3.4.") == 0x01020304u);
  CHECK_FALSE(parse_ipv4_whatwg("1.2.3.4..").has_value());
  CHECK(parse_ipv4_whatwg("1.65535") == 0x0100FFFFu);
  CHECK_FALSE(parse_ipv4_whatwg("1.65536.1").has_value());
  CHECK(parse_ipv4_whatwg("0x.0.0.0") == 0u);
  CHECK_FALSE(parse_ipv4_whatwg("09.0.0.1").has_value());
  auto a = parse_ipv6_pieces("::ffff:1.2.3.4");
  REQUIRE(a.has_value());
  CHECK((*a)[5] == 0xffff);
  CHECK((*a)[6] == 0x0102);
  CHECK(serialize_ipv6(*a) == "::ffff:102:304");
  CHECK(serialize_ipv6(*parse_ipv6_pieces("0:0:1:0:0:1:0:0")) == "::1:0:0:1:0:0");
  CHECK(serialize_ipv6(*parse_ipv6_pieces("1:2:3:4:5:6:7:8")) == "1:2:3:4:5:6:7:8");
  CHECK_FALSE(parse_ipv6_pieces("1:2:3:4:5:6:7:8:9").has_value());
  CHECK_FALSE(parse_ipv6_pieces("12345::").has_value());
  CHECK(tenuo::detail::percent_decode("%41%zz%4") == "A%zz%4");
}
}
