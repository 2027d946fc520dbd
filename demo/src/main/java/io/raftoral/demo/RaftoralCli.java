package io.raftoral.demo;

import io.raftoral.demo.chaos.ChaosCommand;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar raftoral-node.jar}: runs a node (the default command, with the quickstart's flags), or
 * {@code client ...} to talk to a node, {@code admin ...} for operator commands, {@code bench ...} to run a
 * benchmark, or {@code chaos ...} to run the fault harness. Picocli parses the flags and
 * prints clear errors and usage for bad ones (exit code 2).
 */
@Command(name = "raftoral", mixinStandardHelpOptions = true, version = "raftoral-node 0.1.0",
    subcommands = {ClientCommand.class, BenchCommand.class, AdminCommand.class, ChaosCommand.class},
    description = "A Raftoral node: durable workflows replicated by Raft among the nodes themselves.")
public final class RaftoralCli {

  private static final Set<String> SUBCOMMANDS = Set.of("client", "bench", "admin", "chaos");

  private RaftoralCli() {
  }

  public static void main(String[] args) {
    CommandLine cli;
    if (args.length > 0 && SUBCOMMANDS.contains(args[0])) {
      cli = new CommandLine(new RaftoralCli());
    } else {
      cli = new CommandLine(new NodeCommand());
    }
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    int code = cli.execute(args);
    if (code != 0 || !(cli.getCommand() instanceof NodeCommand)) {
      System.exit(code);
    }
    // a running node keeps the JVM alive (Vert.x threads); it exits on SIGTERM through the shutdown hook
  }
}
