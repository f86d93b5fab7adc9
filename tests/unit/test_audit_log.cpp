#include <tenuo/arguments.hpp>
#include <tenuo/audit_log.hpp>
#include <tenuo/encoding.hpp>

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

using tenuo::AuditDecision;
using tenuo::AuditRecord;
using tenuo::EnforcementMode;
using tenuo::ErrorCode;

namespace {

struct ScratchDir {
  std::filesystem::path path;
  ScratchDir() {
    std::string templ = (std::filesystem::temp_directory_path() / "tenuo-audit-XXXXXX").string();
    REQUIRE(::mkdtemp(templ.data()) != nullptr);
    path = templ;
  }
  ~ScratchDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

AuditRecord deny_record() {
  AuditRecord r;
  r.time = 1704067200;
  r.mode = EnforcementMode::Audit;
  r.decision = AuditDecision::Deny;
  r.enforced = false;
  r.tool = "read_file";
  auto args = tenuo::parse_arguments(R"({"path":"/etc/passwd","n":1.0,"x":null,"o":{"k":[1.5]}})");
  REQUIRE(args);
  r.arguments = *args;
  r.warrant_id = "tnu_wrt_019471f8000070008000000000000001";
  r.chain = tenuo::Bytes{0x81, 0x83, 0x01};
  r.pop = tenuo::Bytes(64, 0xab);
  r.error = tenuo::AuditError{ErrorCode::ConstraintViolation, "path \"/etc/passwd\" not allowed\n"};
  return r;
}

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::vector<std::string> lines_of(const std::string& path) {
  std::vector<std::string> out;
  auto r = tenuo::for_each_line(path, [&](std::size_t, std::string_view l) {
    out.emplace_back(l);
    return true;
  });
  REQUIRE(r);
  return out;
}

}  // namespace

TEST_SUITE("tenuo::audit_log") {

TEST_CASE("RFC 3339 times") {
  CHECK(tenuo::rfc3339_utc(0) == "1970-01-01T00:00:00Z");
  CHECK(tenuo::rfc3339_utc(1704067200) == "2024-01-01T00:00:00Z");
  CHECK(tenuo::rfc3339_utc(1704070799) == "2024-01-01T00:59:59Z");
  CHECK(tenuo::rfc3339_utc(951782400) == "2000-02-29T00:00:00Z");
  CHECK(tenuo::rfc3339_utc(-1) == "1969-12-31T23:59:59Z");
  CHECK(tenuo::rfc3339_utc(253402300799) == "9999-12-31T23:59:59Z");
}

TEST_CASE("modes") {
  for (auto m : {EnforcementMode::Enforce, EnforcementMode::Audit, EnforcementMode::Permissive})
    CHECK(tenuo::parse_mode(tenuo::mode_name(m)) == m);
  CHECK_FALSE(tenuo::parse_mode("Enforce"));
  CHECK_FALSE(tenuo::parse_mode(""));
}

TEST_CASE("a deny record: exact line and round trip") {
  const AuditRecord r = deny_record();
  const std::string line = tenuo::to_json_line(r);
  CHECK(line ==
        "{\"tenuo_audit\":1,\"time\":\"2024-01-01T00:00:00Z\",\"unix\":1704067200,\"mode\":\"audit\","
        "\"decision\":\"deny\",\"enforced\":false,\"tool\":\"read_file\","
        "\"arguments\":{\"n\":1,\"o\":{\"k\":[1.5]},\"path\":\"/etc/passwd\",\"x\":null},"
        "\"warrant_id\":\"tnu_wrt_019471f8000070008000000000000001\",\"chain\":\"gYMB\","
        "\"pop\":\"" + tenuo::base64_encode(*r.pop, tenuo::Base64Alphabet::Standard, tenuo::Padding::Yes) +
        "\",\"error\":{\"code\":1501,\"name\":\"constraint-violation\","
        "\"message\":\"path \\\"/etc/passwd\\\" not allowed\\n\"}}\n");
  auto back = tenuo::parse_audit_line(line);
  REQUIRE(back);
  CHECK(*back == r);
}

TEST_CASE("minimal allow record and unparseable arguments round-trip") {
  AuditRecord r;
  r.time = -5;
  r.decision = AuditDecision::Allow;
  auto back = tenuo::parse_audit_line(tenuo::to_json_line(r));
  REQUIRE(back);
  CHECK(*back == r);

  AuditRecord d = deny_record();
  d.arguments.reset();
  d.arguments_text = "{\"a\":1,\"a\":2} \x01";
  d.error = tenuo::AuditError{ErrorCode::InvalidArguments, "duplicate member name"};
  back = tenuo::parse_audit_line(tenuo::to_json_line(d));
  REQUIRE(back);
  CHECK(*back == d);
}

TEST_CASE("invalid UTF-8 in text fields still yields a valid line") {
  AuditRecord r = deny_record();
  r.tool = std::string("bad\xff\xfe", 5);
  auto back = tenuo::parse_audit_line(tenuo::to_json_line(r));
  REQUIRE(back);
  CHECK(*back->tool == "bad\xef\xbf\xbd\xef\xbf\xbd");
}

TEST_CASE("torn and malformed lines are refused") {
  const std::string line = tenuo::to_json_line(deny_record());
  auto code = [](std::string_view l) {
    auto r = tenuo::parse_audit_line(l);
    REQUIRE_FALSE(r);
    return r.error().code;
  };
  // A crash mid-write: any prefix of the line, with or without the newline a later writer adds.
  for (std::size_t cut : {std::size_t{0}, std::size_t{1}, line.size() / 2, line.size() - 2, line.size() - 1}) {
    CHECK(code(line.substr(0, cut)) == ErrorCode::InvalidInput);
    if (cut > 0 && cut < line.size() - 1) CHECK(code(line.substr(0, cut) + "\n") == ErrorCode::InvalidInput);
  }
  // A torn line followed by the next writer's complete line on the same physical line.
  CHECK(code(line.substr(0, 40) + line) == ErrorCode::InvalidInput);

  auto edit = [&](std::string_view from, std::string_view to) {
    std::string l = line;
    const auto at = l.find(from);
    REQUIRE(at != std::string::npos);
    l.replace(at, from.size(), to);
    return l;
  };
  CHECK(code(edit("\"tenuo_audit\":1", "\"tenuo_audit\":2")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"tenuo_audit\":1,", "")) == ErrorCode::InvalidInput);
  CHECK(code(edit("2024-01-01T00:00:00Z", "2024-01-01T00:00:01Z")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"mode\":\"audit\"", "\"mode\":\"lenient\"")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"decision\":\"deny\"", "\"decision\":\"allow\"")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"enforced\":false", "\"enforced\":0")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"code\":1501", "\"code\":1500")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"chain\":\"gYMB\"", "\"chain\":\"gYMB=\"")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"chain\":\"gYMB\"", "\"chain\":\"gYM-\"")) == ErrorCode::InvalidInput);
  CHECK(code(edit("tnu_wrt_019471f8", "tnu_wrt_019471F8")) == ErrorCode::InvalidInput);
  CHECK(code(edit("\"arguments\":{", "\"arguments\":{\"n\":2,")) == ErrorCode::InvalidInput);  // dup
  CHECK(code(edit("\"tool\"", "\"unix\":1,\"tool\"")) == ErrorCode::InvalidInput);  // dup member
  CHECK(code(edit("\"arguments\":{", "\"arguments\":[{")) == ErrorCode::InvalidInput);
  CHECK(code("[]\n") == ErrorCode::InvalidInput);
  CHECK(code("{\"event_type\":\"authorization\"}\n") == ErrorCode::InvalidInput);
  // Unknown members are ignored.
  CHECK(tenuo::parse_audit_line(edit("\"tool\"", "\"future\":{\"x\":[1]},\"tool\"")));
}

TEST_CASE("append: one line at a time, mode 0600, nothing else") {
  ScratchDir dir;
  const std::string path = (dir.path / "audit.jsonl").string();
  CHECK(tenuo::append_audit_line(path, "no newline").error().code == ErrorCode::InvalidInput);
  CHECK(tenuo::append_audit_line(path, "two\nlines\n").error().code == ErrorCode::InvalidInput);
  CHECK(tenuo::append_audit_line(path, "").error().code == ErrorCode::InvalidInput);
  CHECK_FALSE(std::filesystem::exists(path));

  const std::string a = tenuo::to_json_line(deny_record());
  REQUIRE(tenuo::append_audit_line(path, a));
  REQUIRE(tenuo::append_audit_line(path, a, tenuo::SyncMode::Fsync));
  CHECK(read_file(path) == a + a);
  struct stat st {};
  REQUIRE(::stat(path.c_str(), &st) == 0);
  CHECK((st.st_mode & 0077) == 0);

  auto r = tenuo::append_audit_line((dir.path / "missing" / "x.jsonl").string(), a);
  REQUIRE_FALSE(r);
  CHECK(r.error().code == ErrorCode::Io);
}

TEST_CASE("append after a torn last line closes it first, so the new record stays whole") {
  ScratchDir dir;
  const std::string path = (dir.path / "audit.jsonl").string();
  const std::string a = tenuo::to_json_line(deny_record());
  const std::string torn = a.substr(0, a.size() / 2);  // a writer killed mid-append
  {
    std::ofstream f(path, std::ios::binary);
    f << a << torn;
  }
  REQUIRE(tenuo::append_audit_line(path, a));
  CHECK(read_file(path) == a + torn + "\n" + a);
  // A file that ends in '\n' gets no extra newline.
  REQUIRE(tenuo::append_audit_line(path, a));
  CHECK(read_file(path) == a + torn + "\n" + a + a);
  std::vector<std::string> got;
  REQUIRE(tenuo::for_each_line(path, [&](std::size_t, std::string_view l) {
    got.emplace_back(l);
    return true;
  }));
  REQUIRE(got.size() == 4);
  CHECK_FALSE(tenuo::parse_audit_line(got[1]));
  CHECK(tenuo::parse_audit_line(got[2]).value() == deny_record());
}

TEST_CASE("for_each_line hands over torn and overlong lines without their newline") {
  ScratchDir dir;
  const std::string path = (dir.path / "log").string();
  const std::string good = tenuo::to_json_line(deny_record());
  {
    std::ofstream out(path, std::ios::binary);
    out << good << "\n" << std::string(300, 'x') << "\n" << good << good.substr(0, 50);
  }
  std::vector<std::pair<std::size_t, std::string>> seen;
  auto r = tenuo::for_each_line(path, [&](std::size_t n, std::string_view l) {
    seen.emplace_back(n, std::string(l));
    return true;
  }, 200);
  REQUIRE(r);
  REQUIRE(seen.size() == 5);
  CHECK(seen[0].first == 1);
  // The 200-byte cap cuts the record lines too; with the default cap they parse.
  CHECK(seen[2].second == std::string(200, 'x'));
  CHECK(seen[4].first == 5);
  CHECK(seen[4].second == good.substr(0, 50));
  const auto all = lines_of(path);
  REQUIRE(all.size() == 5);
  CHECK(tenuo::parse_audit_line(all[0]));
  CHECK(all[1] == "\n");
  CHECK(tenuo::parse_audit_line(all[3]));
  CHECK_FALSE(tenuo::parse_audit_line(all[4]));  // torn last line
  // Early stop.
  std::size_t count = 0;
  REQUIRE(tenuo::for_each_line(path, [&](std::size_t, std::string_view) { return ++count < 2; }));
  CHECK(count == 2);
  CHECK(tenuo::for_each_line((dir.path / "nope").string(), [](std::size_t, std::string_view) { return true; })
            .error()
            .code == ErrorCode::Io);
}

TEST_CASE("concurrent appenders: every line parses, none is lost") {
  ScratchDir dir;
  const std::string path = (dir.path / "audit.jsonl").string();
  constexpr int kWriters = 8;
  constexpr int kLines = 500;
  std::vector<pid_t> pids;
  for (int w = 0; w < kWriters; ++w) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
      int rc = 0;
      for (int i = 0; i < kLines; ++i) {
        AuditRecord r;
        r.time = 1704067200 + i;
        r.decision = AuditDecision::Allow;
        r.tool = "w" + std::to_string(w);
        // Every 7th line is far larger than PIPE_BUF (4096) to show size does not matter.
        const std::size_t pad = i % 7 == 0 ? 20000 : static_cast<std::size_t>(i % 50);
        r.arguments = tenuo::Object{{"i", tenuo::Value{static_cast<std::int64_t>(i)}},
                                    {"pad", tenuo::Value{std::string(pad, 'p')}}};
        if (!tenuo::append_audit_line(path, tenuo::to_json_line(r))) rc = 1;
      }
      ::_exit(rc);
    }
    pids.push_back(pid);
  }
  for (pid_t pid : pids) {
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  std::map<std::string, std::set<std::int64_t>> seen;
  std::size_t lines = 0;
  std::size_t bad = 0;
  REQUIRE(tenuo::for_each_line(path, [&](std::size_t, std::string_view l) {
    ++lines;
    auto r = tenuo::parse_audit_line(l);
    if (!r || !r->tool || !r->arguments) {
      ++bad;
      return true;
    }
    const tenuo::Value args = tenuo::Value::object(*r->arguments);
    const tenuo::Value* i = args.find("i");
    if (i == nullptr || !i->is_int()) {
      ++bad;
      return true;
    }
    seen[*r->tool].insert(i->as_int());
    return true;
  }));
  CHECK(bad == 0);
  CHECK(lines == kWriters * kLines);
  REQUIRE(seen.size() == kWriters);
  for (const auto& [tool, ids] : seen) CHECK(ids.size() == kLines);
}

}  // TEST_SUITE
