package lint

import "testing"

func TestObjectRefString(t *testing.T) {
	tests := []struct {
		ref  ObjectRef
		want string
	}{
		{ref: ObjectRef{Kind: "DaemonSet", Namespace: "monitoring", Name: "agent"}, want: "DaemonSet monitoring/agent"},
		{ref: ObjectRef{Kind: "DaemonSet", Name: "agent"}, want: "DaemonSet agent"},
		{ref: ObjectRef{Kind: "KubeletConfiguration"}, want: "KubeletConfiguration"},
		{ref: ObjectRef{Kind: "KubeletConfiguration", Namespace: "ns"}, want: "KubeletConfiguration"},
		{ref: ObjectRef{}, want: ""},
	}
	for _, tt := range tests {
		if got := tt.ref.String(); got != tt.want {
			t.Errorf("%#v.String() = %q, want %q", tt.ref, got, tt.want)
		}
	}
}
