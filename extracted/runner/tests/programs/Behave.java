import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.List;

public class Main {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        String cmd = in.readLine();
        cmd = cmd == null ? "" : cmd.trim();
        switch (cmd) {
            case "hello":
                System.out.println("Hello, World!");
                break;
            case "echo": {
                StringBuilder sb = new StringBuilder();
                int c;
                while ((c = in.read()) != -1) sb.append((char) c);
                System.out.print(sb);
                break;
            }
            case "crash":
                throw new IllegalStateException("boom");
            case "wrong":
                System.out.println(42);
                break;
            case "spin": {
                long x = 0;
                while (true) {
                    x++;
                    if (x == -1) break;
                }
                System.out.println(x);
                break;
            }
            case "sleep":
                Thread.sleep(1000000000L);
                break;
            case "alloc": {
                List<long[]> chunks = new ArrayList<>();
                while (true) chunks.add(new long[1 << 17]);
            }
            default:
                System.exit(3);
        }
    }
}
