package io.openwit.cli.local;

import java.nio.file.Path;

/**
 * A Kafka broker in a JVM of its own, for tests that SIGKILL the broker: {@link EmbeddedKafka} on
 * the log directory, port and controller port given as arguments, until the process is killed.
 */
final class KafkaBrokerProcess {
  static final String READY = "kafka broker ready";

  private KafkaBrokerProcess() {}

  public static void main(String[] arguments) throws InterruptedException {
    if (arguments.length != 3) {
      throw new IllegalArgumentException("usage: KafkaBrokerProcess LOG_DIRECTORY PORT CONTROLLER_PORT");
    }
    EmbeddedKafka broker = EmbeddedKafka.start(Path.of(arguments[0]), Integer.parseInt(arguments[1]),
        Integer.parseInt(arguments[2]));
    Runtime.getRuntime().addShutdownHook(new Thread(broker::close, "kafka-broker-stop"));
    System.out.println(READY + " at " + broker.bootstrapServers());
    Thread.currentThread().join();
  }
}
