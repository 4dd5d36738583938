package org.gleaner.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test that needs root (fanotify, netlink, cgroups, netns, swap...).
 * As non-root it is skipped with the reason, unless {@value Requirements#STRICT_ENV} is set
 * (CI sets it), in which case it fails: a privileged test that did not run is a defect there.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("privileged")
@ExtendWith(PrivilegedCondition.class)
public @interface Privileged {
    /** Why root is needed, shown when the test is skipped. */
    String value();
}
