#include "detail/net.hpp"

#include <doctest/doctest.h>

#include <string>

using tenuo::detail::IpAddr;
using tenuo::detail::parse_ip;
using tenuo::detail::parse_ipv4;
using tenuo::detail::parse_ipv6;
using tenuo::detail::parse_network;

namespace {

IpAddr v4(int a, int b, int c, int d) {
  IpAddr x;
  x.bytes[0] = static_cast<std::uint8_t>(a);
  x.bytes[1] = static_cast<std::uint8_t>(b);
  x.bytes[2] = static_cast<std::uint8_t>(c);
  x.bytes[3] = static_cast<std::uint8_t>(d);
  return x;
}

IpAddr net_addr(const char* s) {
  auto n = parse_network(s);
  REQUIRE(n.has_value());
  return tenuo::detail::network_address(*n);
}

bool in(const char* net, const char* ip) {
  auto n = parse_network(net);
  auto a = parse_ip(ip);
  REQUIRE(n.has_value());
  REQUIRE(a.has_value());
  return tenuo::detail::contains(*n, *a);
}

bool sub(const char* child, const char* parent) {
  auto c = parse_network(child);
  auto p = parse_network(parent);
  REQUIRE(c.has_value());
  REQUIRE(p.has_value());
  return tenuo::detail::subnet_of(*c, *p);
}

}  // namespace

TEST_SUITE("tenuo::net") {
TEST_CASE("IPv4 literals are strict dotted quads") {
  CHECK(parse_ipv4("0.0.0.0") == v4(0, 0, 0, 0));
  CHECK(parse_ipv4("255.255.255.255") == v4(255, 255, 255, 255));
  CHECK(parse_ipv4("10.1.2.3") == v4(10, 1, 2, 3));
  for (const char* bad : {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.04", "1.2.3.00",
                          "1..3.4", ".1.2.3", "1.2.3.", "1.2.3.4 ", " 1.2.3.4", "0x7f.0.0.1",
                          "+1.2.3.4", "1.2.3.-4", "1234.1.1.1", "127.1", "2130706433", "a.b.c.d"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_ipv4(bad).has_value());
    CHECK_FALSE(parse_ip(bad).has_value());
  }
}

TEST_CASE("IPv6 literals per RFC 4291") {
  auto all = parse_ipv6("2001:db8:0:0:1:0:0:1");
  REQUIRE(all.has_value());
  CHECK(all->v6);
  CHECK(all->bytes[0] == 0x20);
  CHECK(all->bytes[1] == 0x01);
  CHECK(all->bytes[15] == 0x01);
  CHECK(parse_ipv6("2001:DB8::1:0:0:1") == all);
  CHECK(parse_ipv6("2001:0db8:0000:0000:0001:0000:0000:0001") == all);

  auto zero = parse_ipv6("::");
  REQUIRE(zero.has_value());
  CHECK(zero->bytes == std::array<std::uint8_t, 16>{});
  auto one = parse_ipv6("::1");
  REQUIRE(one.has_value());
  CHECK(one->bytes[15] == 1);

  auto mapped = parse_ipv6("::ffff:10.1.2.3");
  REQUIRE(mapped.has_value());
  CHECK(mapped->bytes[10] == 0xff);
  CHECK(mapped->bytes[11] == 0xff);
  CHECK(mapped->bytes[12] == 10);
  CHECK(mapped->bytes[15] == 3);
  CHECK(parse_ipv6("1:2:3:4:5:6:1.2.3.4").has_value());
  CHECK(parse_ipv6("::1.2.3.4").has_value());
  CHECK(parse_ipv6("1::").has_value());
  CHECK(parse_ipv6("1:2:3:4:5:6:7::").has_value());
  CHECK(parse_ipv6("::2:3:4:5:6:7:8").has_value());

  for (const char* bad : {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3",
                          "12345::", "::g", "1:2:3:4:5:6:7:8::", "::1:2:3:4:5:6:7:8",
                          ":1::", "1:::2", "[::1]", "::1%eth0", "fe80::1%1", "::1.2.3",
                          "::1.2.3.4.5", "::01.2.3.4", "1.2.3.4::", "1:2:3:4:5:6:7:1.2.3.4",
                          "::ffff:1.2.3.4:5", " ::1", "::1 ", "1.2.3.4"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_ipv6(bad).has_value());
  }
}

TEST_CASE("networks: prefix, netmask, masking, defaults") {
  auto n = parse_network("10.1.2.3/8");
  REQUIRE(n.has_value());
  CHECK(n->prefix == 8);
  CHECK(n->addr == v4(10, 1, 2, 3));
  CHECK(tenuo::detail::network_address(*n) == v4(10, 0, 0, 0));
  CHECK(tenuo::detail::last_address(*n) == v4(10, 255, 255, 255));

  CHECK(parse_network("10.0.0.0/255.0.0.0")->prefix == 8);
  CHECK(parse_network("192.168.1.0/255.255.255.128")->prefix == 25);
  CHECK(parse_network("0.0.0.0/0.0.0.0")->prefix == 0);
  CHECK(parse_network("1.2.3.4/255.255.255.255")->prefix == 32);
  CHECK(parse_network("1.2.3.4")->prefix == 32);
  CHECK(parse_network("::1")->prefix == 128);
  CHECK(parse_network("2001:db8::/32")->prefix == 32);
  CHECK(parse_network("0.0.0.0/0")->prefix == 0);
  CHECK(parse_network("::/0")->prefix == 0);
  CHECK(net_addr("2001:db8:ffff::1/32") == *parse_ip("2001:db8::"));

  for (const char* bad : {"", "/8", "10.0.0.0/", "10.0.0.0/33", "10.0.0.0/08", "10.0.0.0/+8",
                          "10.0.0.0/-1", "10.0.0.0/8/8", "10.0.0.0/255.0.255.0",
                          "10.0.0.0/255.255.255.256", "::/129", "::/ffff::", "::/64 ",
                          "10.0.0.0 /8", "10.0.0/8", "localhost/8", "10.0.0.0/8a"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_network(bad).has_value());
  }
}

TEST_CASE("contains: family-strict, host bits masked") {
  CHECK(in("10.0.0.0/8", "10.255.1.2"));
  CHECK(in("10.9.9.9/8", "10.0.0.1"));
  CHECK_FALSE(in("10.0.0.0/8", "11.0.0.0"));
  CHECK(in("0.0.0.0/0", "255.255.255.255"));
  CHECK(in("192.168.1.5", "192.168.1.5"));
  CHECK_FALSE(in("192.168.1.5", "192.168.1.6"));
  CHECK(in("192.168.1.0/255.255.255.0", "192.168.1.77"));
  CHECK(in("2001:db8::/32", "2001:db8:1::5"));
  CHECK_FALSE(in("2001:db8::/32", "2001:db9::"));
  CHECK(in("::/0", "::1"));
  // IPv4 address vs IPv6 network (incl. mapped form) never matches, nor the reverse.
  CHECK_FALSE(in("::ffff:0:0/96", "10.0.0.1"));
  CHECK_FALSE(in("::/0", "10.0.0.1"));
  CHECK_FALSE(in("0.0.0.0/0", "::ffff:10.0.0.1"));
  CHECK_FALSE(in("10.0.0.0/8", "::ffff:10.0.0.1"));
}

TEST_CASE("subnet_of") {
  CHECK(sub("10.1.0.0/16", "10.0.0.0/8"));
  CHECK(sub("10.0.0.0/8", "10.0.0.0/8"));
  CHECK(sub("10.1.2.3", "10.0.0.0/8"));
  CHECK_FALSE(sub("10.0.0.0/7", "10.0.0.0/8"));
  CHECK_FALSE(sub("11.0.0.0/16", "10.0.0.0/8"));
  CHECK(sub("2001:db8:1::/48", "2001:db8::/32"));
  CHECK_FALSE(sub("::ffff:10.0.0.0/104", "10.0.0.0/8"));
  CHECK_FALSE(sub("10.0.0.0/8", "::/0"));
}

TEST_CASE("canonical text") {
  using tenuo::detail::to_string;
  CHECK(to_string(*parse_ip("10.0.0.1")) == "10.0.0.1");
  CHECK(to_string(*parse_ip("::")) == "::");
  CHECK(to_string(*parse_ip("::1")) == "::1");
  CHECK(to_string(*parse_ip("2001:DB8:0:0:1:0:0:1")) == "2001:db8::1:0:0:1");
  CHECK(to_string(*parse_ip("2001:db8:0:1:1:1:1:1")) == "2001:db8:0:1:1:1:1:1");
  CHECK(to_string(*parse_ip("1:0:0:2:0:0:0:3")) == "1:0:0:2::3");
  CHECK(to_string(*parse_ip("::ffff:1.2.3.4")) == "::ffff:102:304");
  CHECK(to_string(*parse_ip("1::")) == "1::");
  CHECK(to_string(*parse_network("10.1.2.3/8")) == "10.1.2.3/8");
}
}
