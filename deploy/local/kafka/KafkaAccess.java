// Kafka authentication setup for deploy/local/kafka.sh, compiled and run on the broker's own
// classpath like KafkaReady.java (kafkajs has no API for SCRAM credentials). Secrets come in on
// stdin, never on a command line (where `ps` would show them), and are never printed.
//
// usage: java -cp '<probe dir>:<libs>/*' KafkaAccess format <server.properties> <cluster-id> [standalone|static]
//          stdin: the admin password. Formats KRaft storage with the admin's SCRAM-SHA-512
//          credential in the bootstrap metadata, as `kafka-storage format --add-scram`: `standalone`
//          (default) a one-node dynamic quorum (--standalone); `static` a node of the voter set in
//          controller.quorum.voters (every node of a cluster is formatted so, same cluster id).
//        java -cp ... KafkaAccess users <bootstrap> <client.properties>
//          stdin: lines `upsert <name> <password>` or `delete <name>`; one AlterUserScramCredentials
//          request for all of them, as the admin of <client.properties>.
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialAlteration;
import org.apache.kafka.clients.admin.UserScramCredentialDeletion;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;

public final class KafkaAccess {
  // Kafka's default and minimum. The passwords are 256-bit random, so iterations add nothing but
  // connection time (kafkajs derives the key on every connect).
  private static final int ITERATIONS = 4096;
  private static final String NAME = "[A-Za-z0-9._-]{1,100}";

  public static void main(String[] args) {
    try {
      if (args.length == 3 && args[0].equals("format")) System.exit(format(args[1], args[2], true));
      if (args.length == 4 && args[0].equals("format") && args[3].matches("standalone|static"))
        System.exit(format(args[1], args[2], args[3].equals("standalone")));
      if (args.length == 3 && args[0].equals("users")) System.exit(users(args[1], args[2]));
      System.err.println("usage: KafkaAccess format <server.properties> <cluster-id> [standalone|static] | users <bootstrap> <client.properties>");
      System.exit(2);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      System.err.println(c.getClass().getSimpleName() + ": " + c.getMessage());
      System.exit(1);
    }
  }

  private static int format(String config, String clusterId, boolean standalone) throws Exception {
    String password = stdinLines().stream().findFirst().orElse("").trim();
    if (!password.matches("[A-Za-z0-9]{16,}")) throw new IllegalArgumentException("admin password on stdin must be 16+ letters/digits");
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    int code;
    try (PrintStream out = new PrintStream(captured, true, StandardCharsets.UTF_8)) {
      List<String> argv = new ArrayList<>(List.of("format", "-t", clusterId, "-c", config,
        "--add-scram", "SCRAM-SHA-512=[name=admin,iterations=" + ITERATIONS + ",password=" + password + "]"));
      if (standalone) argv.add(1, "--standalone");
      code = kafka.tools.StorageTool.execute(argv.toArray(new String[0]), out);
    }
    // The bootstrap records hold the admin's salted credential: keep them out of the log.
    for (String line : captured.toString(StandardCharsets.UTF_8).split("\n"))
      if (!line.contains("UserScramCredentialRecord") && !line.isBlank()) System.out.println(line);
    return code;
  }

  private static int users(String bootstrap, String clientProperties) throws Exception {
    Properties p = new Properties();
    try (FileInputStream in = new FileInputStream(clientProperties)) {
      p.load(in);
    }
    p.put("bootstrap.servers", bootstrap);
    List<UserScramCredentialAlteration> alterations = new ArrayList<>();
    List<String> names = new ArrayList<>();
    for (String line : stdinLines()) {
      String[] f = line.trim().split("\\s+");
      if (f.length == 3 && f[0].equals("upsert") && f[1].matches(NAME) && f[2].matches("[A-Za-z0-9]{16,}")) {
        alterations.add(new UserScramCredentialUpsertion(f[1], new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_512, ITERATIONS), f[2]));
        names.add("+" + f[1]);
      } else if (f.length == 2 && f[0].equals("delete") && f[1].matches(NAME)) {
        alterations.add(new UserScramCredentialDeletion(f[1], ScramMechanism.SCRAM_SHA_512));
        names.add("-" + f[1]);
      } else if (!line.isBlank()) {
        // Never echo the line: it may hold a password.
        throw new IllegalArgumentException("stdin line " + (names.size() + 1) + " is not `upsert <name> <password>` or `delete <name>`");
      }
    }
    if (alterations.isEmpty()) return 0;
    try (Admin admin = Admin.create(p)) {
      admin.alterUserScramCredentials(alterations).all().get(30, TimeUnit.SECONDS);
    }
    System.out.println("SCRAM-SHA-512 users " + String.join(" ", names));
    return 0;
  }

  private static List<String> stdinLines() throws Exception {
    List<String> lines = new ArrayList<>();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null; ) lines.add(line);
    return lines;
  }
}
