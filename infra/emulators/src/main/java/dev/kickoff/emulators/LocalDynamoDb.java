package dev.kickoff.emulators;

import com.amazonaws.services.dynamodbv2.local.monitoring.Telemetry;
import com.amazonaws.services.dynamodbv2.local.server.DynamoDBProxyServer;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBRequestHandler;
import com.amazonaws.services.dynamodbv2.local.server.LocalDynamoDBServerHandler;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * DynamoDB Local, in this process, listening on 127.0.0.1 only. (Its own server runner binds every interface;
 * we assemble the same handler on a loopback-only Jetty connector instead.) Telemetry is off: nothing leaves
 * the machine.
 */
public final class LocalDynamoDb implements AutoCloseable {
    private final Server server;
    private final LocalDynamoDBRequestHandler requestHandler;
    private final int port;

    private LocalDynamoDb(Server server, LocalDynamoDBRequestHandler requestHandler, int port) {
        this.server = server;
        this.requestHandler = requestHandler;
        this.port = port;
    }

    /**
     * @param dataDir where tables persist across restarts, or null to keep everything in memory
     * @param port    the port to listen on, 0 for any free port
     */
    public static LocalDynamoDb start(Path dataDir, int port) {
        try {
            Telemetry.configureTelemetry("EMBEDDED", "EMBEDDED", false);
            // It logs every failed conditional write as a warning; those are normal traffic here.
            Configurator.setLevel("com.amazonaws.services.dynamodbv2", Level.ERROR);
            if (dataDir != null) {
                Files.createDirectories(dataDir);
            }
            var requests = new LocalDynamoDBRequestHandler(0, dataDir == null,
                    dataDir == null ? null : dataDir.toString(), true, false);
            var handler = new LocalDynamoDBServerHandler(requests, null);
            var context = new DynamoDBProxyServer(port, handler).setUpHandler(handler);
            Server server = new Server();
            ServerConnector connector = new ServerConnector(server);
            connector.setHost("127.0.0.1");
            connector.setPort(port);
            server.addConnector(connector);
            server.setHandler(context);
            server.start();
            return new LocalDynamoDb(server, requests, connector.getLocalPort());
        } catch (Exception e) {
            throw new IllegalStateException("DynamoDB Local did not start: " + e.getMessage(), e);
        }
    }

    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + port);
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            server.stop();
        } catch (Exception ignored) {
            // shutting down anyway
        }
        requestHandler.shutdown();
    }
}
