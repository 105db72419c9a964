package io.jmtcp.testing;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command line of a child JVM that runs a class from this test's class path with the flags
 * every jmtcp JVM needs (the same as the parent POM's {@code jvm.opens} and
 * {@code jvm.native.access}).
 */
public final class ChildJvm
{
    private ChildJvm()
    {
    }

    /**
     * @param jvmOptions extra JVM options (system properties and the like), before the class.
     * @param mainClass  the class whose {@code main} runs.
     * @param args       its arguments.
     * @return the command, ready for a {@link ProcessBuilder}.
     */
    public static List<String> command(final List<String> jvmOptions, final Class<?> mainClass, final String... args)
    {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("--add-opens");
        command.add("java.base/jdk.internal.misc=ALL-UNNAMED");
        if (Runtime.version().feature() >= 22)
        {
            // JDK 22+ warns on stderr when JNA loads a library without this grant.
            command.add("--enable-native-access=ALL-UNNAMED");
        }
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass.getName());
        command.addAll(List.of(args));
        return command;
    }
}
