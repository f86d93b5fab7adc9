#include "detail/url_pattern.hpp"

#include <doctest/doctest.h>

#include <optional>
#include <string>

using tenuo::detail::parse_url_pattern;
using tenuo::detail::UrlPatternParts;

TEST_SUITE("tenuo::url_pattern") {
TEST_CASE("accepted patterns and their parts") {
  struct Row {
    const char* text;
    const char* scheme;
    const char* host;
    std::optional<std::uint16_t> port;
    std::optional<std::string> path;
  };
  const Row rows[] = {
      {"https://example.com", "https", "example.com", std::nullopt, std::nullopt},
      {"https://example.com/", "https", "example.com", std::nullopt, std::nullopt},
      {"HTTPS://Example.COM/API/*", "https", "example.com", std::nullopt, "/API/*"},
      {"https://*.example.com/api/*", "https", "*.example.com", std::nullopt, "/api/*"},
      {"*://example.com/x", "*", "example.com", std::nullopt, "/x"},
      {"https://*/", "https", "*", std::nullopt, std::nullopt},
      {"https://example.com:443/", "https", "example.com", std::nullopt, std::nullopt},
      {"https://example.com:0443", "https", "example.com", std::nullopt, std::nullopt},
      {"http://example.com:80/a", "http", "example.com", std::nullopt, "/a"},
      {"https://example.com:8443/a", "https", "example.com", std::uint16_t{8443}, "/a"},
      {"http://example.com:443", "http", "example.com", std::uint16_t{443}, std::nullopt},
      {"*://example.com:443", "*", "example.com", std::uint16_t{443}, std::nullopt},
      {"wss://h:443", "wss", "h", std::nullopt, std::nullopt},
      {"ftp://h:21/pub", "ftp", "h", std::nullopt, "/pub"},
      {"s3://bucket/key/*", "s3", "bucket", std::nullopt, "/key/*"},
      {"grpc+tls://h:0", "grpc+tls", "h", std::uint16_t{0}, std::nullopt},
      {"http://10.0.0.1:8080/x", "http", "10.0.0.1", std::uint16_t{8080}, "/x"},
      {"http://[::1]/", "http", "[::1]", std::nullopt, std::nullopt},
      {"http://[2001:DB8:0:0::1]:8080", "http", "[2001:db8::1]", std::uint16_t{8080}, std::nullopt},
      {"https://api-v2.my_host.example.com/v1/*/users", "https", "api-v2.my_host.example.com",
       std::nullopt, "/v1/*/users"},
      {"https://h/v*", "https", "h", std::nullopt, "/v*"},
      {"https://h/a%20b", "https", "h", std::nullopt, "/a%20b"},
      {"https://h.example.com./x", "https", "h.example.com.", std::nullopt, "/x"},
  };
  for (const auto& r : rows) {
    CAPTURE(r.text);
    auto p = parse_url_pattern(r.text);
    REQUIRE(p.has_value());
    CHECK(p->scheme == r.scheme);
    CHECK(p->host == r.host);
    CHECK(p->port == r.port);
    CHECK(p->path == r.path);
  }
}

TEST_CASE("rejected patterns") {
  for (const char* bad :
       {"", "example.com", "example.com/path", "://h", "1http://h", "ht tp://h", "https://",
        "https:///path", "https://h:", "https://h:99999", "https://h:-1", "https://h:8a",
        "https://user@h/", "https://h/a?b", "https://h/#f", "https://h?x", "https://h\\x",
        "https://foo.*.com/", "https://*example.com/", "https://ex*ample.com", "https://h%41/",
        "https://b\xc3\xbc" "cher.de/", "https://0x7f.0.0.1/", "https://127.1/", "https://1.2.3.04/",
        "https://*.10.0.0.1/", "https://[::1/", "https://[1.2.3.4]/", "https://[::1]x/",
        "https://[fe80::1%eth0]/", "https://h/docs/*.pdf", "https://h/a/../b", "https://h/./b",
        "https://h/a/%2e%2E/b", "https://h/a b", "https://h/a\"b", "https://h/{x}", "https://h/\x01"}) {
    CAPTURE(bad);
    auto p = parse_url_pattern(bad);
    REQUIRE_FALSE(p.has_value());
    CHECK(p.error().code == tenuo::ErrorCode::InvalidInput);
  }
}

TEST_CASE("default ports") {
  using tenuo::detail::default_port;
  CHECK(default_port("http") == 80);
  CHECK(default_port("https") == 443);
  CHECK(default_port("ws") == 80);
  CHECK(default_port("wss") == 443);
  CHECK(default_port("ftp") == 21);
  CHECK_FALSE(default_port("s3").has_value());
  CHECK_FALSE(default_port("*").has_value());
}
}
