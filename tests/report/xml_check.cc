#include "xml_check.h"

#include <cstdlib>

namespace upcamp::testing {

namespace {

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == ':' || c == '.';
}

class Parser {
 public:
  explicit Parser(std::string_view s) : s_(s) {}

  Result<XmlElement> Document() {
    UPCAMP_RETURN_IF_ERROR(Prolog());
    XmlElement root;
    UPCAMP_RETURN_IF_ERROR(Element(&root));
    UPCAMP_RETURN_IF_ERROR(Misc());
    if (pos_ != s_.size()) return Error("content after the root element");
    return root;
  }

 private:
  Status Error(std::string_view what) const {
    return Status::Data("XML error at byte {}: {} (near '{}')", pos_, what, s_.substr(pos_, 40));
  }
  bool StartsWith(std::string_view p) const { return s_.substr(pos_, p.size()) == p; }
  void SkipSpace() {
    while (pos_ < s_.size() &&
           (s_[pos_] == ' ' || s_[pos_] == '\n' || s_[pos_] == '\t' || s_[pos_] == '\r')) {
      ++pos_;
    }
  }
  Status SkipUntil(std::string_view end) {
    const size_t e = s_.find(end, pos_);
    if (e == std::string_view::npos)
      return Error(std::string("unterminated, expected ") + std::string(end));
    pos_ = e + end.size();
    return Status::Ok();
  }
  // Comments, processing instructions and white space.
  Status Misc() {
    while (true) {
      SkipSpace();
      if (StartsWith("<!--")) {
        UPCAMP_RETURN_IF_ERROR(SkipUntil("-->"));
      } else if (StartsWith("<?")) {
        UPCAMP_RETURN_IF_ERROR(SkipUntil("?>"));
      } else {
        return Status::Ok();
      }
    }
  }
  Status Prolog() {
    UPCAMP_RETURN_IF_ERROR(Misc());
    if (StartsWith("<!DOCTYPE")) {
      UPCAMP_RETURN_IF_ERROR(SkipUntil(">"));
      UPCAMP_RETURN_IF_ERROR(Misc());
    }
    return Status::Ok();
  }
  Result<std::string> Name() {
    const size_t start = pos_;
    while (pos_ < s_.size() && IsNameChar(s_[pos_])) ++pos_;
    if (pos_ == start) return Error("expected a name");
    return std::string(s_.substr(start, pos_ - start));
  }
  // Character data up to `stop` (exclusive) with entities resolved; rejects a bare '<'.
  Status CharData(char quote, std::string* out) {
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (quote != 0 && c == quote) return Status::Ok();
      if (c == '<') {
        if (quote != 0) return Error("'<' inside an attribute value");
        return Status::Ok();
      }
      if (c == '&') {
        const size_t semi = s_.find(';', pos_);
        if (semi == std::string_view::npos || semi - pos_ > 10) return Error("bare '&'");
        const std::string_view ent = s_.substr(pos_ + 1, semi - pos_ - 1);
        if (ent == "amp") {
          *out += '&';
        } else if (ent == "lt") {
          *out += '<';
        } else if (ent == "gt") {
          *out += '>';
        } else if (ent == "quot") {
          *out += '"';
        } else if (ent == "apos") {
          *out += '\'';
        } else if (ent.size() >= 2 && ent[0] == '#') {
          const bool hex = ent[1] == 'x';
          const std::string digits(ent.substr(hex ? 2 : 1));
          char* end = nullptr;
          const long cp = std::strtol(digits.c_str(), &end, hex ? 16 : 10);
          if (digits.empty() || *end != '\0' || cp <= 0) return Error("bad character reference");
          if (cp < 0x80) {
            *out += static_cast<char>(cp);
          } else {
            *out += "?";  // tests compare ASCII; other code points only need to be valid
          }
        } else {
          return Error("unknown entity");
        }
        pos_ = semi + 1;
        continue;
      }
      *out += c;
      ++pos_;
    }
    if (quote != 0) return Error("unterminated attribute value");
    return Status::Ok();
  }
  Status Element(XmlElement* e) {
    if (!StartsWith("<")) return Error("expected '<'");
    ++pos_;
    UPCAMP_ASSIGN_OR_RETURN(e->name, Name());
    while (true) {
      const size_t before = pos_;
      SkipSpace();
      if (StartsWith("/>")) {
        pos_ += 2;
        return Status::Ok();
      }
      if (StartsWith(">")) {
        ++pos_;
        break;
      }
      if (pos_ == before) return Error("expected white space before an attribute");
      UPCAMP_ASSIGN_OR_RETURN(std::string key, Name());
      if (e->Attr(key) != nullptr) return Error("duplicate attribute " + key);
      SkipSpace();
      if (!StartsWith("=")) return Error("expected '=' after attribute " + key);
      ++pos_;
      SkipSpace();
      if (pos_ >= s_.size() || (s_[pos_] != '"' && s_[pos_] != '\'')) {
        return Error("attribute value must be quoted");
      }
      const char quote = s_[pos_++];
      std::string value;
      UPCAMP_RETURN_IF_ERROR(CharData(quote, &value));
      ++pos_;  // closing quote
      e->attributes.emplace_back(std::move(key), std::move(value));
    }
    // Content.
    while (true) {
      UPCAMP_RETURN_IF_ERROR(CharData(0, &e->text));
      if (pos_ >= s_.size()) return Error("unclosed element <" + e->name + ">");
      if (StartsWith("</")) {
        pos_ += 2;
        UPCAMP_ASSIGN_OR_RETURN(std::string closing, Name());
        if (closing != e->name) {
          return Error("</" + closing + "> closes <" + e->name + ">");
        }
        SkipSpace();
        if (!StartsWith(">")) return Error("expected '>'");
        ++pos_;
        return Status::Ok();
      }
      if (StartsWith("<!--")) {
        UPCAMP_RETURN_IF_ERROR(SkipUntil("-->"));
        continue;
      }
      if (StartsWith("<!") || StartsWith("<?")) return Error("unexpected markup declaration");
      e->children.emplace_back();
      UPCAMP_RETURN_IF_ERROR(Element(&e->children.back()));
    }
  }

  std::string_view s_;
  size_t pos_ = 0;
};

void Collect(const XmlElement& e, std::string_view name, std::vector<const XmlElement*>* out) {
  if (e.name == name) out->push_back(&e);
  for (const auto& c : e.children) Collect(c, name, out);
}

}  // namespace

const std::string* XmlElement::Attr(std::string_view key) const {
  for (const auto& [k, v] : attributes) {
    if (k == key) return &v;
  }
  return nullptr;
}

std::vector<const XmlElement*> XmlElement::FindAll(std::string_view element) const {
  std::vector<const XmlElement*> out;
  Collect(*this, element, &out);
  return out;
}

std::string XmlElement::AllText() const {
  // Children's text is interleaved with ours in the document; for tests the concatenation of
  // our own text followed by the children's is enough.
  std::string out = text;
  for (const auto& c : children) out += c.AllText();
  return out;
}

Result<XmlElement> ParseXml(std::string_view document) {
  return Parser(document).Document();
}

}  // namespace upcamp::testing
