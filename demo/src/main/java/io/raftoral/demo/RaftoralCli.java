package io.raftoral.demo;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code java -jar raftoral-node.jar bench ...}: the benchmarks (the node itself comes with the network APIs). */
@Command(name = "raftoral", mixinStandardHelpOptions = true, version = "raftoral-node 0.1.0",
    subcommands = {BenchCommand.class},
    description = "A Raftoral node: durable workflows replicated by Raft among the nodes themselves.")
public final class RaftoralCli {

  private RaftoralCli() {
  }

  public static void main(String[] args) {
    CommandLine cli = new CommandLine(new RaftoralCli());
    cli.setCaseInsensitiveEnumValuesAllowed(true);
    System.exit(cli.execute(args));
  }
}
