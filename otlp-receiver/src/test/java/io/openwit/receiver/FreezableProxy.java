package io.openwit.receiver;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;

/**
 * A TCP proxy on the loopback interface in front of one server. Once frozen it still accepts
 * connections and forwards everything clients send, but holds back everything the server sends:
 * the server takes requests, its clients never see an answer, and no connection closes.
 */
final class FreezableProxy implements AutoCloseable {
  private static final int BUFFER_BYTES = 64 * 1024;

  private final ServerSocket listener;
  private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
  private volatile boolean frozen;

  /** Listens on a free port; connections wait for {@link #forwardTo} to be served. */
  FreezableProxy() throws IOException {
    listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Forwards every connection, from now on, to {@code targetPort} on the loopback interface. */
  void forwardTo(int targetPort) {
    daemon("proxy-accept-" + port(), () -> {
      while (!listener.isClosed()) {
        Socket client;
        try {
          client = listener.accept();
        } catch (IOException e) {
          if (listener.isClosed()) {
            return;
          }
          throw new UncheckedIOException("proxy on port " + port() + " cannot accept", e);
        }
        open(client, targetPort);
      }
    });
  }

  /** From now on, no byte from the server reaches a client, on open connections and new ones. */
  void freeze() {
    frozen = true;
  }

  private void open(Socket client, int targetPort) {
    Socket server;
    try {
      server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
    } catch (IOException e) {
      // the client sees its connection refused, as it would without the proxy
      closeQuietly(client);
      return;
    }
    Connection connection = new Connection(client, server);
    connections.add(connection);
    daemon("proxy-to-server-" + server.getLocalPort(), () -> connection.pump(client, server, false));
    daemon("proxy-to-client-" + server.getLocalPort(), () -> connection.pump(server, client, true));
  }

  /** One client's connection and the proxy's connection to the server on its behalf. */
  private final class Connection {
    private final Socket client;
    private final Socket server;
    private final CountDownLatch closed = new CountDownLatch(1);

    Connection(Socket client, Socket server) {
      this.client = client;
      this.server = server;
    }

    /**
     * Copies {@code from} to {@code to} until either side closes; a copy that {@code freezes}
     * stops forwarding once the proxy is frozen, and waits for the connection to close.
     */
    void pump(Socket from, Socket to, boolean freezes) {
      byte[] buffer = new byte[BUFFER_BYTES];
      try {
        InputStream in = from.getInputStream();
        OutputStream out = to.getOutputStream();
        for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
          if (freezes && frozen) {
            closed.await();
            return;
          }
          out.write(buffer, 0, read);
          out.flush();
        }
      } catch (IOException e) {
        // one side closed or reset the connection: the other side learns it below
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        close();
      }
    }

    void close() {
      closeQuietly(client);
      closeQuietly(server);
      connections.remove(this);
      closed.countDown();
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException e) {
      // closing a socket only fails when it is already broken, which is what closing is for
    }
  }

  private static void daemon(String name, Runnable task) {
    Thread thread = new Thread(task, name);
    thread.setDaemon(true);
    thread.start();
  }

  /** Stops listening and closes every connection. */
  @Override
  public void close() throws IOException {
    listener.close();
    connections.forEach(Connection::close);
  }
}
