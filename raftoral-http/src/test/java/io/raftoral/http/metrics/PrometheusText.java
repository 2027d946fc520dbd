package io.raftoral.http.metrics;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A strict parser of the Prometheus text exposition format 0.0.4 (no Java parser is on Maven Central and promtool is
 * not installed): {@code # HELP} and {@code # TYPE} lines, samples {@code name{label="value",...} value [timestamp]}
 * with escaped label values, and the rules a scraper enforces: a family's TYPE comes before its samples and at most
 * once, every sample belongs to the family declared before it (histograms: {@code _bucket}/{@code _count}/
 * {@code _sum}, whose buckets carry {@code le}), no series appears twice. Any violation throws with the line number.
 */
final class PrometheusText {

  private static final Pattern METRIC_NAME = Pattern.compile("[a-zA-Z_:][a-zA-Z0-9_:]*");
  private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
  private static final Set<String> TYPES = Set.of("counter", "gauge", "histogram", "summary", "untyped");

  /** One sample: its full name (with any _bucket/_count/_sum suffix), labels and value. */
  record Sample(String name, Map<String, String> labels, double value) {}

  /** One metric family: its name, type and samples. */
  record Family(String name, String type, List<Sample> samples) {}

  private PrometheusText() {
  }

  /** The families of {@code text} by name, in order. */
  static Map<String, Family> parse(String text) {
    Map<String, Family> families = new LinkedHashMap<>();
    Set<String> series = new HashSet<>();
    Map<String, String> helps = new HashMap<>();
    Family current = null;
    String[] lines = text.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i];
      int number = i + 1;
      if (line.isEmpty()) {
        continue;
      }
      if (line.startsWith("#")) {
        String[] parts = line.split(" ", 4);
        if (parts.length >= 3 && parts[1].equals("HELP")) {
          requireName(parts[2], number);
          if (helps.put(parts[2], parts.length == 4 ? parts[3] : "") != null) {
            throw error(number, "second HELP for " + parts[2]);
          }
        } else if (parts.length >= 3 && parts[1].equals("TYPE")) {
          requireName(parts[2], number);
          if (parts.length != 4 || !TYPES.contains(parts[3])) {
            throw error(number, "bad TYPE line: " + line);
          }
          if (families.containsKey(parts[2])) {
            throw error(number, "second TYPE for " + parts[2]);
          }
          current = new Family(parts[2], parts[3], new ArrayList<>());
          families.put(current.name(), current);
        }
        continue;
      }
      Sample s = sample(line, number);
      if (current == null || !belongs(current, s)) {
        throw error(number, "sample " + s.name() + " outside its family (TYPE missing or elsewhere)");
      }
      if (current.type().equals("histogram") && s.name().endsWith("_bucket") && !s.labels().containsKey("le")) {
        throw error(number, "histogram bucket without le");
      }
      if (!series.add(s.name() + s.labels())) {
        throw error(number, "series twice: " + s.name() + s.labels());
      }
      current.samples().add(s);
    }
    return families;
  }

  private static boolean belongs(Family f, Sample s) {
    String n = s.name();
    if (n.equals(f.name())) {
      return !f.type().equals("histogram");
    }
    return switch (f.type()) {
      case "histogram" -> n.equals(f.name() + "_bucket") || n.equals(f.name() + "_count")
          || n.equals(f.name() + "_sum");
      case "summary" -> n.equals(f.name() + "_count") || n.equals(f.name() + "_sum");
      default -> false;
    };
  }

  private static Sample sample(String line, int number) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && line.charAt(i) != ' ') {
      i++;
    }
    String name = line.substring(0, i);
    requireName(name, number);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i = labels(line, i + 1, labels, number);
    }
    if (i >= line.length() || line.charAt(i) != ' ') {
      throw error(number, "no value: " + line);
    }
    String[] rest = line.substring(i + 1).split(" ");
    if (rest.length < 1 || rest.length > 2) {
      throw error(number, "value [timestamp] expected: " + line);
    }
    double value = value(rest[0], number);
    if (rest.length == 2) {
      try {
        Long.parseLong(rest[1]);
      } catch (NumberFormatException e) {
        throw error(number, "bad timestamp: " + rest[1]);
      }
    }
    return new Sample(name, labels, value);
  }

  /** Reads {@code a="x",b="y"}} from {@code i}; returns the index after the closing brace. */
  private static int labels(String line, int i, Map<String, String> labels, int number) {
    while (true) {
      if (i < line.length() && line.charAt(i) == '}') {
        return i + 1;
      }
      int eq = line.indexOf('=', i);
      if (eq < 0) {
        throw error(number, "label without '=': " + line);
      }
      String key = line.substring(i, eq);
      if (!LABEL_NAME.matcher(key).matches()) {
        throw error(number, "bad label name '" + key + "'");
      }
      if (eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
        throw error(number, "label value not quoted: " + line);
      }
      StringBuilder value = new StringBuilder();
      int j = eq + 2;
      while (true) {
        if (j >= line.length()) {
          throw error(number, "unterminated label value: " + line);
        }
        char c = line.charAt(j);
        if (c == '"') {
          break;
        }
        if (c == '\\') {
          char next = j + 1 < line.length() ? line.charAt(j + 1) : ' ';
          switch (next) {
            case '\\' -> value.append('\\');
            case '"' -> value.append('"');
            case 'n' -> value.append('\n');
            default -> throw error(number, "bad escape in label value: " + line);
          }
          j += 2;
        } else {
          value.append(c);
          j++;
        }
      }
      if (labels.put(key, value.toString()) != null) {
        throw error(number, "label " + key + " twice");
      }
      i = j + 1;
      if (i < line.length() && line.charAt(i) == ',') {
        i++;
      }
    }
  }

  private static double value(String text, int number) {
    return switch (text) {
      case "+Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      case "NaN" -> Double.NaN;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw error(number, "bad value: " + text);
        }
      }
    };
  }

  private static void requireName(String name, int number) {
    if (!METRIC_NAME.matcher(name).matches()) {
      throw error(number, "bad metric name '" + name + "'");
    }
  }

  private static IllegalArgumentException error(int line, String problem) {
    return new IllegalArgumentException("line " + line + ": " + problem);
  }
}
