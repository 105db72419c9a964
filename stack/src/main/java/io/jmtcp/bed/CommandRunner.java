package io.jmtcp.bed;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Runs an external command to completion or to its time limit. An interface so that the
 * installer logic of {@link HostTools} can be tested with a fake that records the commands
 * instead of running apt-get.
 */
@FunctionalInterface
interface CommandRunner
{
    /**
     * Run a command and wait for it, at most {@code timeout}.
     *
     * @param timeout     the time limit; on expiry the command and its descendants are killed.
     * @param environment variables added to the inherited environment.
     * @param command     the program and its arguments.
     * @return what the command did; never null, also when it could not be started.
     */
    CommandResult run(Duration timeout, Map<String, String> environment, List<String> command);
}
