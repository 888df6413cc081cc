package io.toonstore;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;

/**
 * The program the child JVMs of {@link ProcessTest} run:
 *
 * <ul>
 *   <li>{@code hold DIR}: opens DIR, puts a row, prints {@code ready}, waits for stdin to close;
 *   <li>{@code lock DIR}: the same without the put (the conformance runner's {@code hold_lock});
 *   <li>{@code open DIR}: tries to open DIR, prints {@code opened} or {@code error CODE};
 *   <li>{@code write DIR DURABILITY}: puts rows (single and in batches) until
 *       killed, printing {@code ack ID SEQ .} after each acknowledged write;
 *   <li>{@code putter DIR DURABILITY}: opens DIR for writing, prints {@code ready}, then
 *       puts each line of stdin and prints its id once acknowledged; closes at the end of stdin;
 *   <li>{@code where}: loads the library and prints the file it was mapped from.
 * </ul>
 */
public final class Child {
    private Child() {}

    /** The bytes of the row with sequence number {@code seq} (length varies with seq). */
    static byte[] rowBytes(long seq) {
        StringBuilder sb = new StringBuilder("row-").append(seq).append('-');
        for (int i = 0; i < (int) (seq % 97); i++) {
            sb.append((char) ('a' + (seq + i) % 26));
        }
        return sb.toString().getBytes(StandardCharsets.UTF_8);
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "hold" -> {
                try (ToonStore db = ToonStore.open(args[1])) {
                    db.put(new byte[] {1});
                    System.out.println("ready");
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // wait until the parent closes our stdin
                    }
                }
            }
            case "lock" -> {
                // The conformance runner's lock holder: no writes.
                try (ToonStore db = ToonStore.open(args[1])) {
                    System.out.println(db.isClosed() ? "closed" : "ready");
                    System.out.flush();
                    while (System.in.read() >= 0) {
                        // wait until the parent closes our stdin
                    }
                } catch (ToonStoreException e) {
                    System.out.println("error " + e.code().cName() + ": " + e.engineMessage());
                    System.exit(1);
                }
            }
            case "open" -> {
                try (ToonStore db = ToonStore.open(args[1])) {
                    System.out.println("opened " + db.stats().liveRows());
                } catch (ToonStoreException e) {
                    System.out.println("error " + e.code().name());
                }
            }
            case "write" -> {
                ToonStore.Options o = new ToonStore.Options().durability(ToonStore.Durability.valueOf(args[2]));
                ToonStore db = ToonStore.open(Paths.get(args[1]), o);
                long seq = 0;
                ToonStore.Batch batch = new ToonStore.Batch();
                while (true) {
                    if (seq % 10 == 9) {
                        for (int i = 0; i < 5; i++) {
                            batch.put(rowBytes(seq + i));
                        }
                        long[] ids = db.write(batch);
                        for (int i = 0; i < ids.length; i++) {
                            System.out.println("ack " + ids[i] + " " + (seq + i) + " .");
                        }
                        seq += 5;
                    } else {
                        long id = db.put(rowBytes(seq));
                        System.out.println("ack " + id + " " + seq + " .");
                        seq++;
                    }
                    System.out.flush();
                }
            }
            case "putter" -> {
                ToonStore.Options o = new ToonStore.Options().durability(ToonStore.Durability.valueOf(args[2]));
                try (ToonStore db = ToonStore.open(Paths.get(args[1]), o)) {
                    System.out.println("ready");
                    System.out.flush();
                    java.io.BufferedReader in = new java.io.BufferedReader(
                            new java.io.InputStreamReader(System.in, StandardCharsets.UTF_8));
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        System.out.println(db.put(line.getBytes(StandardCharsets.UTF_8)));
                        System.out.flush();
                    }
                }
            }
            case "where" -> {
                System.out.println(ToonStore.version());
                List<String> maps = Files.readAllLines(Path.of("/proc/self/maps"));
                maps.stream().filter(l -> l.contains(NativeLibrary.NAME)).findFirst()
                        .ifPresent(l -> System.out.println(l.substring(l.indexOf('/'))));
            }
            default -> throw new IllegalArgumentException(args[0]);
        }
    }
}
