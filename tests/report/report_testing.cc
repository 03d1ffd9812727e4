#include "report_testing.h"

#include <cstdlib>
#include <sstream>

namespace upcamp::testing {

namespace {

std::vector<double> Numbers(const std::string& s) {
  std::vector<double> out;
  const char* p = s.c_str();
  while (*p != '\0') {
    if ((*p >= '0' && *p <= '9') || *p == '-' || *p == '.') {
      char* end = nullptr;
      out.push_back(std::strtod(p, &end));
      p = end;
    } else {
      ++p;
    }
  }
  return out;
}

}  // namespace

::testing::AssertionResult InsideViewBox(const XmlElement& svg) {
  const std::string* vb = svg.Attr("viewBox");
  if (vb == nullptr) return ::testing::AssertionFailure() << "no viewBox";
  const auto box = Numbers(*vb);
  if (box.size() != 4) return ::testing::AssertionFailure() << "bad viewBox " << *vb;
  const double w = box[2], h = box[3];
  std::ostringstream bad;
  auto check = [&](const XmlElement& e, const char* key, double v, double limit) {
    if (!(v >= 0 && v <= limit)) bad << "<" << e.name << " " << key << "=" << v << "> ";
  };
  for (const char* element : {"line", "rect", "circle", "text", "path"}) {
    for (const XmlElement* e : svg.FindAll(element)) {
      for (const auto& [key, value] : e->attributes) {
        const bool horizontal = key == "x" || key == "x1" || key == "x2" || key == "cx";
        const bool vertical = key == "y" || key == "y1" || key == "y2" || key == "cy";
        if (horizontal) check(*e, key.c_str(), std::strtod(value.c_str(), nullptr), w);
        if (vertical) check(*e, key.c_str(), std::strtod(value.c_str(), nullptr), h);
      }
      if (e->name == "rect") {
        const double x = std::strtod(e->Attr("x")->c_str(), nullptr);
        const double y = std::strtod(e->Attr("y")->c_str(), nullptr);
        check(*e, "x+width", x + std::strtod(e->Attr("width")->c_str(), nullptr), w + 1e-9);
        check(*e, "y+height", y + std::strtod(e->Attr("height")->c_str(), nullptr), h + 1e-9);
      }
      if (e->name == "path") {
        const auto nums = Numbers(*e->Attr("d"));
        for (size_t i = 0; i < nums.size(); ++i) check(*e, "d", nums[i], i % 2 == 0 ? w : h);
      }
    }
  }
  if (!bad.str().empty())
    return ::testing::AssertionFailure() << "outside the viewBox: " << bad.str();
  return ::testing::AssertionSuccess();
}

std::vector<std::string> TextsOfClass(const XmlElement& root, std::string_view cls) {
  std::vector<std::string> out;
  for (const XmlElement* t : root.FindAll("text")) {
    const std::string* c = t->Attr("class");
    if (c != nullptr && *c == cls) out.push_back(t->AllText());
  }
  return out;
}

std::vector<size_t> PathPointCounts(const XmlElement& root) {
  std::vector<size_t> out;
  for (const XmlElement* p : root.FindAll("path")) out.push_back(Numbers(*p->Attr("d")).size() / 2);
  return out;
}

}  // namespace upcamp::testing
