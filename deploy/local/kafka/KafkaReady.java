// Readiness probe for deploy/local/kafka.sh: "the broker really answers Kafka
// requests", not just "something accepts TCP". Uses the AdminClient from the
// kafka-clients jar already on the broker classpath (kafka-tools, which holds
// TopicCommand, is not a broker dependency and is not always on Maven Central).
//
// usage: java -cp '<probe dir>:<libs>/*' KafkaReady <bootstrap> <timeoutMs> [client.properties]
// exit 0 = cluster id + live broker list + topic listing all answered. The properties file holds
// how to authenticate (the admin's SASL settings, written by kafka.sh with mode 600).
import java.io.FileInputStream;
import java.util.Collection;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.ListTopicsOptions;
import org.apache.kafka.common.Node;

public final class KafkaReady {
  public static void main(String[] args) {
    String bootstrap = args.length > 0 ? args[0] : "127.0.0.1:9092";
    int timeoutMs = args.length > 1 ? Integer.parseInt(args[1]) : 5000;
    Properties p = new Properties();
    if (args.length > 2) {
      try (FileInputStream in = new FileInputStream(args[2])) {
        p.load(in);
      } catch (Exception e) {
        System.err.println("not ready: cannot read " + args[2] + ": " + e.getMessage());
        System.exit(1);
      }
    }
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(AdminClientConfig.CLIENT_ID_CONFIG, "agentops-kafka-ready");
    p.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 3000));
    p.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, timeoutMs);
    p.put(AdminClientConfig.RECONNECT_BACKOFF_MAX_MS_CONFIG, 500);
    try (Admin admin = Admin.create(p)) {
      DescribeClusterResult cluster = admin.describeCluster();
      String clusterId = cluster.clusterId().get(timeoutMs, TimeUnit.MILLISECONDS);
      Collection<Node> nodes = cluster.nodes().get(timeoutMs, TimeUnit.MILLISECONDS);
      if (nodes.isEmpty()) {
        System.err.println("not ready: no live brokers registered yet");
        System.exit(1);
      }
      // A metadata round-trip that needs the broker's metadata cache to be loaded.
      int topics = admin.listTopics(new ListTopicsOptions().listInternal(true))
          .names().get(timeoutMs, TimeUnit.MILLISECONDS).size();
      System.out.println("cluster=" + clusterId + " brokers=" + nodes.size() + " topics=" + topics);
      System.exit(0);
    } catch (Exception e) {
      Throwable c = e.getCause() != null ? e.getCause() : e;
      System.err.println("not ready: " + c.getClass().getSimpleName() + ": " + c.getMessage());
      System.exit(1);
    }
  }
}
