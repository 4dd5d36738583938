package org.gleaner.testkit;

import java.util.Optional;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

final class PrivilegedCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        Optional<Privileged> privileged = AnnotationSupport.findAnnotation(context.getElement(), Privileged.class);
        if (privileged.isEmpty() || Requirements.isRoot()) {
            return ConditionEvaluationResult.enabled("running as root");
        }
        String reason = "needs root: " + privileged.get().value();
        if (Requirements.strict()) {
            throw new IllegalStateException(reason + " (" + Requirements.STRICT_ENV + " is set, so it may not be skipped)");
        }
        return ConditionEvaluationResult.disabled(reason);
    }
}
