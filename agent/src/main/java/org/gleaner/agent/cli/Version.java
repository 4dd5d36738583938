package org.gleaner.agent.cli;

import picocli.CommandLine;

final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
        String version = Version.class.getPackage().getImplementationVersion();
        return new String[] {"gleaner " + (version == null ? "(development build)" : version)};
    }
}
