#pragma once
// Two network namespaces joined by a veth pair, made by the test and deleted when it
// ends (pass or fail): the only place network tests change nftables or qdiscs. Side A
// has 198.18.77.1/30, side B 198.18.77.2/30 (RFC 2544's benchmark range; these addresses
// exist only inside the two namespaces). Needs root; without it, available() is false.
#include <unistd.h>

#include <iostream>
#include <string>
#include <vector>

#include "runner/os/subprocess.h"
#include "tests/support/skip.h"

namespace faultline::testing {

class NetnsPair {
 public:
  static constexpr const char* kAddressA = "198.18.77.1";
  static constexpr const char* kAddressB = "198.18.77.2";

  NetnsPair() {
    std::string tag = std::to_string(::getpid());
    a_ = "fl-test-" + tag + "-a";
    b_ = "fl-test-" + tag + "-b";
    std::string veth_a = "flta" + tag, veth_b = "fltb" + tag;
    problem_ = ::geteuid() != 0 ? "network namespaces need root" : "";
    for (const auto& argv : std::vector<std::vector<std::string>>{
             {"ip", "netns", "add", a_},
             {"ip", "netns", "add", b_},
             {"ip", "link", "add", veth_a, "netns", a_, "type", "veth", "peer", "name", veth_b,
              "netns", b_},
             {"ip", "-n", a_, "addr", "add", std::string(kAddressA) + "/30", "dev", veth_a},
             {"ip", "-n", b_, "addr", "add", std::string(kAddressB) + "/30", "dev", veth_b},
             {"ip", "-n", a_, "link", "set", veth_a, "up"},
             {"ip", "-n", b_, "link", "set", veth_b, "up"},
             {"ip", "-n", a_, "link", "set", "lo", "up"},
             {"ip", "-n", b_, "link", "set", "lo", "up"}}) {
      if (!problem_.empty()) break;
      auto ran = run_command(Command{argv}, Millis(10000));
      if (!ran.ok() || !ran->succeeded()) {
        problem_ = quote_command(argv) + " failed: " + (ran.ok() ? ran->err : ran.error().message);
      }
    }
    veth_a_ = veth_a;
  }
  ~NetnsPair() {
    for (const auto& name : {a_, b_})
      (void)run_command(Command{{"ip", "netns", "del", name}}, Millis(10000));
  }
  NetnsPair(const NetnsPair&) = delete;
  NetnsPair& operator=(const NetnsPair&) = delete;

  bool available() const { return problem_.empty(); }
  const std::string& problem() const { return problem_; }
  const std::string& a() const { return a_; }
  const std::string& b() const { return b_; }
  const std::string& device_a() const { return veth_a_; }

  // `argv` run inside namespace `ns`.
  static std::vector<std::string> in(const std::string& ns, std::vector<std::string> argv) {
    argv.insert(argv.begin(), {"ip", "netns", "exec", ns});
    return argv;
  }
  // `faultline --home HOME ARGS...` inside namespace `ns`, its lock folder under `home`.
  static Command faultline(const std::string& ns, const std::vector<std::string>& args,
                           const std::string& home) {
    std::vector<std::string> argv = {FAULTLINE_BINARY, "--home", home};
    argv.insert(argv.end(), args.begin(), args.end());
    Command command{in(ns, argv)};
    command.env["FAULTLINE_LOCK_DIR"] = home + "/locks";
    return command;
  }
  // What `nft list tables` says inside namespace `ns`.
  static std::string nft_tables(const std::string& ns) {
    auto ran = run_command(Command{in(ns, {"nft", "list", "tables"})}, Millis(10000));
    return ran.ok() ? ran->out + ran->err : ran.error().message;
  }
  // Whether a TCP connection from inside `ns` to host:port succeeds within 300 ms.
  static bool connects(const std::string& ns, const std::string& host, int port) {
    auto ran =
        run_command(Command{in(ns, {"python3", "-c",
                                    "import socket,sys; socket.create_connection((sys.argv[1], "
                                    "int(sys.argv[2])), 0.3).close()",
                                    host, std::to_string(port)})},
                    Millis(5000));
    return ran.ok() && ran->succeeded();
  }

 private:
  std::string a_, b_, veth_a_, problem_;
};

}  // namespace faultline::testing
