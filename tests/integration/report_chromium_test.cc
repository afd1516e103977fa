// The HTML report in a real headless Chromium (Debian `chromium`): a report of a real
// drill renders without a console message (the page has no script, so any message is a
// problem: an error, a blocked load, a Content-Security-Policy violation), its DOM holds
// the whole timeline, and a screenshot shows the timeline's colours. Negative controls
// prove each check can fail: an injected script, a plain JS error, and markup broken by
// an unescaped "</svg>" are each caught.
#include <png.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "runner/os/files.h"
#include "runner/os/subprocess.h"
#include "tests/integration/report_drills.h"
#include "tests/support/skip.h"

using namespace faultline;
using namespace faultline::testing;

namespace {

struct Rendered {
  std::string dom;
  std::vector<std::string> console;  // every console line Chromium logged
  std::string screenshot;            // the PNG's path
};

// Renders `html` (a file) once: the DOM after load, the console, and a 1200x2000
// screenshot. Bounded to 60 s; a Chromium that hangs is killed with its process group.
Rendered render(const TempDir& dir, const std::string& html, const std::string& name) {
  Rendered out;
  out.screenshot = dir.file(name + ".png");
  Command command({"chromium", "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                   "--disable-extensions", "--user-data-dir=" + dir.file(name + "-profile"),
                   "--enable-logging=stderr", "--v=0", "--window-size=1200,2000",
                   "--screenshot=" + out.screenshot, "--dump-dom", "file://" + html});
  auto result = run_command(command, Millis(60000), {}, 8 * 1024 * 1024);
  REQUIRE(result.ok());
  INFO(result->err);
  REQUIRE_FALSE(result->timed_out);
  REQUIRE(result->exit_code == 0);
  out.dom = result->out;
  std::istringstream lines(result->err);
  for (std::string line; std::getline(lines, line);) {
    if (line.find(":CONSOLE") != std::string::npos) out.console.push_back(line);
  }
  return out;
}

// What is wrong with the DOM Chromium built from a report: the timeline SVG must hold
// its rows and marks (an unescaped "</svg>" ends it early), and no script may exist.
std::vector<std::string> dom_problems(const std::string& dom) {
  std::vector<std::string> problems;
  if (dom.find("<script") != std::string::npos) problems.push_back("a script element");
  size_t begin = dom.find("<svg id=\"timeline\"");
  if (begin == std::string::npos) return {"no timeline SVG"};
  std::string svg = dom.substr(begin, dom.find("</svg>", begin) - begin);
  for (const char* part : {">phases</text>", ">flag</text>", ">fault flag</text>",
                           ">outages</text>", ">recovery point</text>", ">t0</text>"}) {
    if (svg.find(part) == std::string::npos)
      problems.push_back(std::string("timeline lacks ") + part);
  }
  if (dom.find("<section id=\"events\">") == std::string::npos)
    problems.push_back("no events section");
  return problems;
}

struct Pixels {
  unsigned width = 0, height = 0;
  size_t pass_green = 0, fail_red = 0, fault_amber = 0;
  double luminance_stddev = 0;
};

bool near(const unsigned char* p, int r, int g, int b) {
  return std::abs(p[0] - r) <= 6 && std::abs(p[1] - g) <= 6 && std::abs(p[2] - b) <= 6;
}

// Decodes the PNG with libpng and counts the timeline's colours.
Pixels pixels_of(const std::string& path) {
  png_image image{};
  image.version = PNG_IMAGE_VERSION;
  REQUIRE(png_image_begin_read_from_file(&image, path.c_str()) != 0);
  image.format = PNG_FORMAT_RGB;
  std::vector<unsigned char> buffer(PNG_IMAGE_SIZE(image));
  REQUIRE(png_image_finish_read(&image, nullptr, buffer.data(), 0, nullptr) != 0);
  Pixels out{image.width, image.height};
  double sum = 0, sum_squares = 0;
  size_t count = static_cast<size_t>(image.width) * image.height;
  for (size_t i = 0; i < count; ++i) {
    const unsigned char* p = &buffer[i * 3];
    if (near(p, 0x2d, 0xa4, 0x4e)) ++out.pass_green;
    if (near(p, 0xcf, 0x22, 0x2e)) ++out.fail_red;
    if (near(p, 0xbf, 0x87, 0x00)) ++out.fault_amber;
    double y = 0.2126 * p[0] + 0.7152 * p[1] + 0.0722 * p[2];
    sum += y;
    sum_squares += y * y;
  }
  double mean = sum / count;
  out.luminance_stddev = std::sqrt(std::max(0.0, sum_squares / count - mean * mean));
  return out;
}

std::string with_before_body_end(std::string page, const std::string& insert) {
  page.insert(page.rfind("</body>"), insert);
  return page;
}

}  // namespace

TEST_CASE("the HTML report of a real drill renders in Chromium without a console message") {
  if (!program_exists("chromium")) {
    skip_test("chromium is not installed (Debian package chromium; .ci/setup installs it)");
    return;
  }
  TempDir dir;
  ReportDrills drills(dir);
  std::string id = drills.run("chromium-drill", "5s", kHostileContinuity);
  REQUIRE(drills.cli({"records", "review", id, "--lesson", kHostileLesson, "--operator", "a"})
              .exit_code == 0);
  std::string html = dir.file("report.html");
  CliRun written = drills.cli({"report", id, "-o", html});
  INFO(written.err);
  REQUIRE(written.exit_code == 0);
  std::string page = text_of(html);

  Rendered good = render(dir, html, "good");
  INFO(good.dom.substr(0, 2000));
  CHECK(good.console.empty());
  for (const auto& line : good.console) UNSCOPED_INFO(line);
  CHECK(dom_problems(good.dom).empty());
  // The hostile strings are text in the DOM, not elements.
  CHECK(good.dom.find("&lt;script&gt;alert(1)&lt;/script&gt;") != std::string::npos);
  CHECK(good.dom.find("&lt;/svg&gt;&lt;script&gt;alert(2)") != std::string::npos);

  Pixels shot = pixels_of(good.screenshot);
  if (const char* keep = std::getenv("FAULTLINE_KEEP_SCREENSHOT")) {
    std::filesystem::copy_file(good.screenshot, keep,
                               std::filesystem::copy_options::overwrite_existing);
  }
  INFO("green " << shot.pass_green << " red " << shot.fail_red << " amber " << shot.fault_amber
                << " stddev " << shot.luminance_stddev);
  CHECK(shot.width == 1200);
  CHECK(shot.height == 2000);
  CHECK(shot.luminance_stddev > 10);  // not blank
  CHECK(shot.pass_green > 500);       // passing probe rounds
  CHECK(shot.fail_red > 200);         // the failing span and the outage
  CHECK(shot.fault_amber > 100);      // the fault window

  SECTION("negative controls: each check catches what it is for") {
    // A script slipped into the report: the page's policy blocks it, and says so.
    std::string injected =
        dir.write("injected.html",
                  with_before_body_end(
                      page, "<script>throw new Error('faultline-negative-control')</script>"));
    Rendered bad = render(dir, injected, "injected");
    REQUIRE(bad.console.size() >= 1);
    CHECK(bad.console[0].find("Content Security Policy") != std::string::npos);
    CHECK_FALSE(dom_problems(bad.dom).empty());

    // A plain JS error on a page without a policy is logged too.
    std::string plain =
        dir.write("plain.html",
                  "<!DOCTYPE html><html><body><p>x</p>"
                  "<script>throw new Error('faultline-negative-control')</script></body></html>");
    Rendered error = render(dir, plain, "plain");
    REQUIRE(error.console.size() == 1);
    CHECK(error.console[0].find("Uncaught Error: faultline-negative-control") != std::string::npos);

    // An unescaped "</svg>" (an escaping bug) ends the timeline early.
    std::string broken = page;
    size_t svg = broken.find("<svg id=\"timeline\"");
    REQUIRE(svg != std::string::npos);
    broken.insert(broken.find('>', broken.find("</style>", svg)) + 1, "</svg><p>");
    Rendered torn = render(dir, dir.write("broken.html", broken), "broken");
    CHECK_FALSE(dom_problems(torn.dom).empty());
  }
}
