#pragma once
// Reads the line-oriented corpora under tests/vectors/: '#' comments, blank lines skipped,
// escapes \\ \t \n \r \0 and \xNN expanded.

#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace tenuo_test {

inline std::string unescape_corpus_line(const std::string& s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '\\' || i + 1 >= s.size()) {
      out.push_back(s[i]);
      continue;
    }
    const char e = s[++i];
    switch (e) {
      case '\\': out.push_back('\\'); break;
      case 't': out.push_back('\t'); break;
      case 'n': out.push_back('\n'); break;
      case 'r': out.push_back('\r'); break;
      case '0': out.push_back('\0'); break;
      case 'x':
        if (i + 2 < s.size() + 1 && i + 2 <= s.size() - 1) {
          out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
          i += 2;
        }
        break;
      default:
        out.push_back('\\');
        out.push_back(e);
    }
  }
  return out;
}

inline std::vector<std::string> read_corpus(const std::string& name) {
  const std::string path = std::string(TENUO_VECTORS_DIR) + "/" + name;
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::vector<std::string> out;
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    out.push_back(unescape_corpus_line(line));
  }
  return out;
}

}  // namespace tenuo_test
