public enum MsvcTestSupport {}
