import { Route, Routes } from 'react-router-dom';
import { ClustersPage } from './ClustersPage';
import { ClusterPage } from './cluster/ClusterPage';

export function ClustersRoutes() {
  return (
    <Routes>
      <Route path="/" element={<ClustersPage />} />
      <Route path="/:clusterName" element={<ClusterPage />} />
    </Routes>
  );
}
