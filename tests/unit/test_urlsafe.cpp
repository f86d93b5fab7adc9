#include "detail/urlsafe.hpp"

#include "corpus_util.hpp"

#include <doctest/doctest.h>

#include <string>

using tenuo::detail::domain_pattern_matches;
using tenuo::detail::url_safe_check;
namespace c = tenuo::c;

TEST_SUITE("tenuo::urlsafe") {
TEST_CASE("default UrlSafe accepts ordinary public URLs") {
  const c::UrlSafe d;
  for (const char* u : {"http://example.com/", "https://api.github.com/repos?x=1#f",
                        "http://8.8.8.8/", "https://1.1.1.1:8443/x", "http://[2001:4860:4860::8888]/",
                        "https://sub.example.co.uk/a/../b", "HTTPS://EXAMPLE.COM/", "http://example.com./",
                        "http://user:pw@example.com/", "http://172.32.0.1/", "http://192.169.0.1/",
                        "http://11.0.0.1/", "http://169.255.0.1/", "http://100.128.0.1/",
                        "http://example.internal.com/", "http://localhostx.com/"}) {
    CAPTURE(u);
    auto v = url_safe_check(d, u);
    CHECK(v.ok);
    CHECK(v.reason.empty());
  }
}

TEST_CASE("the SSRF corpus: no internal target gets through a default UrlSafe") {
  const c::UrlSafe d;
  const auto corpus = tenuo_test::read_corpus("ssrf_urls.txt");
  REQUIRE(corpus.size() >= 100);
  std::size_t accepted = 0;
  for (const auto& u : corpus) {
    CAPTURE(u);
    auto v = url_safe_check(d, u);
    CHECK_FALSE(v.ok);
    CHECK_FALSE(v.reason.empty());
    accepted += v.ok ? 1 : 0;
  }
  CHECK(accepted == 0);
}

TEST_CASE("flags, schemes, ports, allow and deny lists") {
  c::UrlSafe open;
  open.block_private = open.block_loopback = open.block_metadata = open.block_reserved = false;
  CHECK(url_safe_check(open, "http://127.0.0.1/").ok);
  CHECK(url_safe_check(open, "http://10.0.0.1/").ok);
  CHECK(url_safe_check(open, "http://localhost/").ok);
  CHECK_FALSE(url_safe_check(open, "ftp://example.com/").ok);

  c::UrlSafe only_loopback = open;
  only_loopback.block_loopback = true;
  CHECK_FALSE(url_safe_check(only_loopback, "http://[::ffff:127.0.0.1]/").ok);
  CHECK_FALSE(url_safe_check(only_loopback, "http://0.0.0.0/").ok);  // stricter: 0/8 under loopback
  CHECK(url_safe_check(only_loopback, "http://10.0.0.1/").ok);

  c::UrlSafe only_private = open;
  only_private.block_private = true;
  CHECK_FALSE(url_safe_check(only_private, "http://[2002:0a00:0001::]/").ok);  // 6to4 of 10.0.0.1
  CHECK(url_safe_check(only_private, "http://127.0.0.1/").ok);

  c::UrlSafe tlds;
  tlds.block_internal_tlds = true;
  for (const char* u : {"http://svc.internal/", "http://printer.local/", "http://x.lan./", "http://corp/",
                        "http://a.b.home/", "http://api.default/", "http://kube.svc/"}) {
    CAPTURE(u);
    CHECK_FALSE(url_safe_check(tlds, u).ok);
    CHECK(url_safe_check(c::UrlSafe{}, u).ok);  // off by default
  }
  CHECK(url_safe_check(tlds, "http://internal.com/").ok);

  c::UrlSafe schemes;
  schemes.schemes = {"HTTPS", "ftp"};
  CHECK(url_safe_check(schemes, "https://example.com/").ok);
  CHECK(url_safe_check(schemes, "ftp://example.com/").ok);
  CHECK_FALSE(url_safe_check(schemes, "http://example.com/").ok);

  c::UrlSafe ports;
  ports.allow_ports = std::vector<std::uint16_t>{443, 8443};
  CHECK(url_safe_check(ports, "https://example.com/").ok);
  CHECK(url_safe_check(ports, "http://example.com:8443/").ok);
  CHECK_FALSE(url_safe_check(ports, "http://example.com/").ok);  // default port 80
  CHECK_FALSE(url_safe_check(ports, "https://example.com:444/").ok);

  c::UrlSafe allow;
  allow.allow_domains = std::vector<std::string>{"*.example.com", "api.other.org"};
  CHECK(url_safe_check(allow, "https://example.com/").ok);
  CHECK(url_safe_check(allow, "https://a.b.EXAMPLE.com/").ok);
  CHECK(url_safe_check(allow, "https://api.other.org/").ok);
  CHECK_FALSE(url_safe_check(allow, "https://other.org/").ok);
  CHECK_FALSE(url_safe_check(allow, "https://badexample.com/").ok);
  CHECK_FALSE(url_safe_check(allow, "https://example.com.evil.net/").ok);
  CHECK_FALSE(url_safe_check(allow, "https://example.com@evil.net/").ok);
  CHECK_FALSE(url_safe_check(allow, "https://api.other.org./").ok);  // stricter: no trailing-dot match
  CHECK(url_safe_check(allow, "https://8.8.8.8/").ok);  // allow_domains only restricts names

  c::UrlSafe both = allow;
  both.deny_domains = std::vector<std::string>{"secret.example.com", "8.8.8.8", "[2001:db8::1]"};
  CHECK(url_safe_check(both, "https://www.example.com/").ok);
  CHECK_FALSE(url_safe_check(both, "https://secret.example.com/").ok);   // deny wins
  CHECK_FALSE(url_safe_check(both, "https://SECRET.example.com./").ok);  // trailing dot
  CHECK_FALSE(url_safe_check(both, "https://8.8.8.8/").ok);
  CHECK_FALSE(url_safe_check(both, "https://134744072/").ok);  // 8.8.8.8 as a number
  CHECK_FALSE(url_safe_check(both, "https://[2001:db8:0::1]/").ok);
}

TEST_CASE("domain patterns") {
  CHECK(domain_pattern_matches("*.example.com", "example.com"));
  CHECK(domain_pattern_matches("*.example.com", "a.example.com"));
  CHECK(domain_pattern_matches("*.Example.com", "A.EXAMPLE.com"));
  CHECK_FALSE(domain_pattern_matches("*.example.com", "badexample.com"));
  CHECK_FALSE(domain_pattern_matches("example.com", "a.example.com"));
  CHECK(domain_pattern_matches("example.com", "EXAMPLE.COM"));
}

TEST_CASE("non-special schemes: the host is percent-decoded and read as an IP") {
  c::UrlSafe gopher;
  gopher.schemes = {"gopher", "foo"};
  CHECK(url_safe_check(gopher, "gopher://example.com/").ok);
  for (const char* u : {"gopher://127.0.0.1/", "foo://%31%32%37.0.0.1/", "foo://2130706433/", "foo://0x7f000001/",
                        "foo://127.1/", "foo://0177.0.0.1/", "foo://010.0.0.1/", "foo://LOCALHOST/",
                        "foo://[::1]/", "foo://loc%61lhost/", "foo://a%00b/", "foo:///x", "foo:x"}) {
    CAPTURE(u);
    CHECK_FALSE(url_safe_check(gopher, u).ok);
  }
}
}
