package io.openwit.common.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The program arguments of the Flink jobs: the configuration as a file ({@code --config FILE}, a
 * path on the machine that runs the job's main method) or inline ({@code --config-yaml TEXT}, as
 * {@code openwit submit} sends it), then any number of {@code --set key.path=value}. Environment
 * variables are substituted where the main method runs, so secrets stay in that environment.
 */
public final class JobArguments {
  public static final String CONFIG = "--config";
  public static final String CONFIG_YAML = "--config-yaml";
  public static final String SET = "--set";

  private JobArguments() {}

  public static OpenWitConfig parse(String[] args, Map<String, String> environment) {
    String yaml = "";
    String source = "program arguments";
    Map<String, String> overrides = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String name = args[i];
      if (!name.equals(CONFIG) && !name.equals(CONFIG_YAML) && !name.equals(SET)) {
        throw new ConfigException("unknown job argument '" + name + "' (expected " + CONFIG + " FILE, "
            + CONFIG_YAML + " TEXT or " + SET + " key.path=value)");
      }
      if (i + 1 == args.length) {
        throw new ConfigException("job argument " + name + " needs a value");
      }
      String value = args[++i];
      switch (name) {
        case CONFIG -> {
          source = value;
          try {
            yaml = Files.readString(Path.of(value));
          } catch (IOException e) {
            throw new ConfigException("cannot read configuration file " + value + ": " + e.getMessage(), e);
          }
        }
        case CONFIG_YAML -> yaml = value;
        default -> {
          int equals = value.indexOf('=');
          if (equals <= 0) {
            throw new ConfigException(SET + " takes key.path=value, was '" + value + "'");
          }
          overrides.put(value.substring(0, equals), value.substring(equals + 1));
        }
      }
    }
    return ConfigLoader.parse(yaml, overrides, environment, source);
  }
}
