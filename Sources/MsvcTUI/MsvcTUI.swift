public enum MsvcTUI {}
