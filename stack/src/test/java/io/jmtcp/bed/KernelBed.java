package io.jmtcp.bed;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class or method that needs the kernel bed: a private network namespace with a
 * kernel peer ({@link NetnsBed}). A test method may declare a {@link NetnsBed} parameter to get
 * a fresh bed, which is closed after the method, also when it fails.
 *
 * <p>Without Linux or without root the tests are reported as skipped, with the reason. As root
 * with missing tools that cannot be installed they fail, so that a root CI never passes
 * silently. Tagged {@code kernel-bed}, so a run can select or exclude them
 * ({@code -Dgroups=kernel-bed}, {@code -DexcludedGroups=kernel-bed}).
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Tag("kernel-bed")
@ExtendWith(KernelBedExtension.class)
public @interface KernelBed
{
}
