import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;

public class Main {
    interface Probe { void run() throws Exception; }

    static void report(String what, Probe probe) {
        boolean ok;
        try {
            probe.run();
            ok = true;
        } catch (Exception e) {
            ok = false;
        }
        System.out.println(what + (ok ? " ALLOWED" : " blocked"));
    }

    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String cmd = in.readLine().trim();
        if (cmd.equals("network")) {
            report("tcp 5432", () -> new Socket("127.0.0.1", 5432).close());
            report("dns", () -> java.net.InetAddress.getByName("example.com"));
        } else if (cmd.equals("secrets")) {
            String settings = in.readLine().trim();
            report("shadow", () -> Files.readAllBytes(Path.of("/etc/shadow")));
            report("settings", () -> Files.readAllBytes(Path.of(settings)));
            System.out.println("env " + System.getenv());
        } else if (cmd.equals("write")) {
            report("/usr/polycode-x", () -> Files.writeString(Path.of("/usr/polycode-x"), "x"));
            report("/etc/polycode-x", () -> Files.writeString(Path.of("/etc/polycode-x"), "x"));
        } else if (cmd.equals("threads")) {
            int started = 0;
            try {
                for (int i = 0; i < 10000; i++) {
                    Thread t = new Thread(() -> {
                        try { Thread.sleep(100000); } catch (InterruptedException e) { }
                    });
                    t.setDaemon(true);
                    t.start();
                    started++;
                }
            } catch (Throwable e) {
                System.out.println("stopped by " + e.getClass().getSimpleName());
            }
            System.out.println("threads " + (started < 10000 ? "limited" : "UNLIMITED"));
            System.exit(0);
        }
    }
}
